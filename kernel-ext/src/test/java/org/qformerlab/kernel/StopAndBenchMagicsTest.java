package org.qformerlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
        int before = sink.shown.size();
        CompletableFuture<Throwable> cell = CompletableFuture.supplyAsync(() -> {
            try {
                session.execute("%train stage1 --steps 60 --out " + out + " --as partial");
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (!stepped(before) && !cell.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        session.interrupt(); // one press: stop at the next step boundary
        assertNull(cell.get(120, TimeUnit.SECONDS), "the stopped cell ends without an error");

        StoppedRun partial = assertInstanceOf(StoppedRun.class, value("partial"));
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

    @Test
    void resumeRefusesAFolderThatIsNotARun() {
        MagicUsageException e = assertThrows(MagicUsageException.class,
                () -> session.execute("%train stage1 --resume " + dir.resolve("nothing")));
        assertTrue(e.getMessage().startsWith("--resume " + dir.resolve("nothing") + ": not a stage-1 run folder"), e.getMessage());
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
}
