package org.qformerlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.qformerlab.kernel.display.ProgressDisplay;
import org.qformerlab.kernel.magic.MagicUsageException;
import org.qformerlab.kernel.magic.StoppedRun;
import tech.tablesaw.api.Table;

/** The stop button during %train keeps the work; %bench compares variants in one table. */
class StopAndBenchMagicsTest extends SessionTest {

    @TempDir
    static Path dir;

    @Test
    void stoppingTrainEndsAtAStepBoundaryWithACheckpointBindsTheRunAndItResumes() throws Exception {
        session.execute("%%config experiment --preset tiny\n");
        Path out = dir.resolve("stopped");
        StoppedRun partial = stopOnceItSteps("%train stage1 --steps 60 --out " + out + " --as partial", "partial");
        assertTrue(partial.step() >= 1 && partial.step() < 60, "stopped early: " + partial);
        assertEquals(60, partial.totalSteps());
        assertTrue(Files.isDirectory(partial.checkpoint()), "the checkpoint is written: " + partial.checkpoint());
        assertEquals("%train stage1 --resume " + out, partial.resume());
        assertEquals(partial.step(), Files.readAllLines(out.resolve("metrics.jsonl")).stream()
                .filter(l -> !l.contains("\"eval\"")).count(), "one metrics row per step done");

        session.execute("%train stage1 --resume " + out + " --as resumed");
        assertEquals(true, value("resumed.training().resumed()"));
        assertEquals(60, ((Number) value("resumed.training().steps()")).intValue());
        assertEquals(42, value("21 * 2"), "the kernel goes on");
    }

    /**
     * The stop button during %ablate: the run that is training stops at its next step boundary with a
     * checkpoint, the finished run is kept, the cell says how to resume, and resuming continues the
     * stopped run from its checkpoint.
     */
    @Test
    void stoppingAblateEndsTheTrainingRunAtAStepBoundaryKeepsTheFinishedRunsAndResumes() throws Exception {
        Path spec = Path.of("src/test/resources/studies/tiny-stop.yaml").toAbsolutePath(); // two runs of 40 steps
        Path study = dir.resolve("stopped-study");
        Path runs = study.resolve("runs");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        CompletableFuture<Throwable> cell;
        try {
            cell = CompletableFuture.supplyAsync(() -> {
                try {
                    session.execute("%ablate " + spec + " --quick --out " + study);
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            // stop once the first run is done and the second is training
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (!(finishedRuns(runs) == 1 && trainingRuns(runs) == 1) && !cell.isDone()
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            session.interrupt(); // one press: the study stops at the training run's next step boundary
            assertNull(cell.get(120, TimeUnit.SECONDS), "the stopped cell ends without an error");
        } finally {
            System.setOut(out);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        assertEquals(1, finishedRuns(runs), "the finished run is kept:\n" + text);
        Path partial;
        try (Stream<Path> folders = Files.list(runs)) {
            partial = folders.filter(r -> !Files.exists(r.resolve("result.json"))).findFirst().orElseThrow();
        }
        Path checkpoints = partial.resolve("checkpoints");
        assertTrue(Files.isDirectory(checkpoints), "the stopped run has its checkpoint");
        long stepsDone;
        try (Stream<Path> c = Files.list(checkpoints)) {
            stepsDone = c.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("step-"))
                    .mapToLong(n -> Long.parseLong(n.substring(5))).max().orElse(0);
        }
        assertTrue(stepsDone >= 1 && stepsDone < 40, "stopped between steps: " + stepsDone);
        assertTrue(text.contains("stopped at step " + stepsDone + "/40 of the run " + partial.getFileName()), text);
        assertTrue(text.contains("%ablate " + spec + " --quick --out " + study + " resumes the study: finished runs are"
                + " skipped, the stopped run continues from its checkpoint"), text);
        assertEquals(42, value("21 * 2"), "the kernel goes on");

        session.execute("%ablate " + spec + " --quick --out " + study + " --as resumedStudy");
        assertEquals(1, value("resumedStudy.executed()"), "only the stopped run runs again");
        assertEquals(0L, value("resumedStudy.failed()"));
        assertTrue(Files.readString(partial.resolve("log.txt")).contains("(step " + stepsDone + ")"),
                "it continued from its checkpoint: " + Files.readString(partial.resolve("log.txt")));
    }

    private static long finishedRuns(Path runs) throws Exception {
        return listRuns(runs).stream().filter(r -> Files.exists(r.resolve("result.json"))).count();
    }

    /** Runs without a result whose training has logged a step. */
    private static long trainingRuns(Path runs) throws Exception {
        long n = 0;
        for (Path r : listRuns(runs)) {
            Path metrics = r.resolve("metrics.jsonl");
            if (!Files.exists(r.resolve("result.json")) && Files.exists(metrics) && Files.size(metrics) > 0) {
                n++;
            }
        }
        return n;
    }

    private static List<Path> listRuns(Path runs) throws Exception {
        if (!Files.isDirectory(runs)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(runs)) {
            return s.filter(Files::isDirectory).toList();
        }
    }

    /** Stage 2 stops the same way, keeps its checkpoint, and its resume continues from it to the last step. */
    @Test
    void stoppingStage2KeepsACheckpointAndItsResumeContinuesTheRun() throws Exception {
        session.execute("%%config experiment --preset tiny\n");
        Path out = dir.resolve("stopped2");
        StoppedRun partial = stopOnceItSteps("%train stage2 --scratch --steps 60 --out " + out + " --as partial2",
                "partial2");
        assertTrue(partial.step() >= 1 && partial.step() < 60, "stopped early: " + partial);
        assertEquals("%train stage2 --resume " + out, partial.resume());

        session.execute("%train stage2 --resume " + out + " --as resumed2");
        assertEquals(true, value("resumed2.training().resumed()"));
        assertEquals(60, ((Number) value("resumed2.training().steps()")).intValue());
        assertEquals(60, Files.readAllLines(out.resolve("metrics.jsonl")).stream()
                .filter(l -> !l.contains("\"eval\"")).count(), "one metrics row per step, none twice");
        MagicUsageException e = assertThrows(MagicUsageException.class,
                () -> session.execute("%train stage2 --resume " + dir.resolve("nothing2")));
        assertTrue(e.getMessage().startsWith("--resume " + dir.resolve("nothing2") + ": not a stage-2 run folder"),
                e.getMessage());
    }

    @Test
    void resumeRefusesAFolderThatIsNotARun() {
        MagicUsageException e = assertThrows(MagicUsageException.class,
                () -> session.execute("%train stage1 --resume " + dir.resolve("nothing")));
        assertTrue(e.getMessage().startsWith("--resume " + dir.resolve("nothing") + ": not a stage-1 run folder"), e.getMessage());
    }

    /**
     * Runs {@code cell} in the background, presses stop once (stop at the next step boundary) as
     * soon as it shows a step, checks that the cell ends without an error, and returns the stopped
     * run it bound to {@code variable}.
     */
    private StoppedRun stopOnceItSteps(String cell, String variable) throws Exception {
        int before = sink.shown.size();
        CompletableFuture<Throwable> running = CompletableFuture.supplyAsync(() -> {
            try {
                session.execute(cell);
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (!stepped(before) && !running.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        session.interrupt(); // one press: stop at the next step boundary
        assertNull(running.get(120, TimeUnit.SECONDS), "the stopped cell ends without an error");
        return assertInstanceOf(StoppedRun.class, value(variable));
    }

    private boolean stepped(int from) {
        synchronized (sink) {
            return sink.shown.subList(from, sink.shown.size()).stream()
                    .anyMatch(s -> s.value() instanceof ProgressDisplay.Snapshot snap && snap.done() >= 1 && !snap.finished());
        }
    }

    @Test
    void benchComparesVariantsInOneTableWithPhaseAndRooflinePlots() {
        int charts = sink.displayed(CategoryChart.class).size();
        session.execute("%bench --only stage1-step --queries 4,8 --steps 2 --warmup 1 --matmul 64 --as b");
        Table t = assertInstanceOf(Table.class, value("b"));
        assertEquals(List.of("stage1-step", "stage1-step"), t.stringColumn("benchmark").asList());
        assertEquals(List.of("queries=4", "queries=8"), t.stringColumn("variant").asList());
        assertTrue(t.doubleColumn("ms/step").get(0) > 0 && t.doubleColumn("achieved GFLOP/s").get(1) > 0, t.print());
        assertTrue(t.stringColumn("ms per phase").get(0).contains("backward"), t.print());
        List<CategoryChart> shown = sink.displayed(CategoryChart.class);
        assertEquals(charts + 2, shown.size());
        assertEquals("time per phase", shown.get(charts).getTitle());
        assertTrue(shown.get(charts).getSeriesMap().size() > 1, "one series per phase");
        assertEquals("achieved against the matmul roofline", shown.get(charts + 1).getTitle());
    }

    @Test
    void benchNamesABadSizeOrBenchmark() {
        MagicUsageException e = assertThrows(MagicUsageException.class, () -> session.execute("%bench --queries 8,x"));
        assertEquals("--queries wants whole numbers of at least 1 separated by commas, got '8,x'", e.getMessage());
        MagicUsageException only = assertThrows(MagicUsageException.class, () -> session.execute("%bench --only nope"));
        assertTrue(only.getMessage().startsWith("unknown benchmark 'nope': choose from [stage1-step"), only.getMessage());
        MagicUsageException language = assertThrows(MagicUsageException.class,
                () -> session.execute("%bench --only stage2-step --language gpt"));
        assertEquals("unknown --language 'gpt': choose opt or t5", language.getMessage());
        // the family reaches every benchmark's sizes: generate, OPT-only, refuses it before anything runs
        MagicUsageException generate = assertThrows(MagicUsageException.class,
                () -> session.execute("%bench --only generate --language t5"));
        assertTrue(generate.getMessage().contains("--language opt"), generate.getMessage());
    }

    @Test
    void benchTakesThePrecisionByEitherNameAndRefusesBfloat16BeforeAnythingRuns() {
        MagicUsageException disagree = assertThrows(MagicUsageException.class,
                () -> session.execute("%bench --precision bf16 --dtype float32"));
        assertEquals("--precision bf16 and --dtype float32 disagree: give one (--dtype is the older name of --precision)",
                disagree.getMessage());
        for (String option : List.of("--precision", "--dtype")) {
            Exception refused = assertThrows(Exception.class,
                    () -> session.execute("%bench --only stage1-step --steps 1 " + option + " bfloat16"));
            assertTrue(refused.getMessage().contains("bfloat16") && refused.getMessage().contains("aborts the JVM"),
                    option + ": " + refused.getMessage());
        }
    }
}
