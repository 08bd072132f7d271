package org.qformerlab.ablations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.cli.AblateVerb;
import org.qformerlab.cli.Args;
import tech.tablesaw.api.Table;

/**
 * Studies run through a real one-node SLURM cluster ({@code environment/slurm-local.sh}, started
 * here and stopped after; never a stand-in for sbatch). A tiny stage-1 study goes through the SLURM
 * executor as a job array — its status read while it runs, one task cancelled, a second submission
 * completing it — and its table matches the local executor's bit for bit (one PyTorch thread per run
 * in both). A toy study whose runs SLURM kills for memory and for time, submitted first because the
 * time limit takes a minute or more to strike, is checked last: both runs are recorded as failed with
 * SLURM's reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SlurmClusterTest {

    /** Shared by the tests: the study SLURM kills is submitted before them and checked after. */
    @TempDir
    static Path dir;

    LocalSlurm cluster;
    Study killed;
    RunOptions killedOptions;

    final ByteArrayOutputStream progress = new ByteArrayOutputStream();

    /** A killed run's result is recorded by whoever asks after the task left the queue. */
    static final String KILLED = """
            name: killed
            question: Does SLURM's kill show in the table?
            kind: toy
            zip:
              - {path: behaviour.holdMb, values: [700, 0]}
              - {path: behaviour.sleepMs, values: [60000, 600000], labels: [memory-hog, sleeper]}
            seeds: 1
            metrics:
              - {name: score, better: higher}
            slurm: {mem: 400M, time: "1"}
            """;

    @BeforeAll
    void startTheClusterAndSubmitTheStudyItWillKill() throws Exception {
        cluster = LocalSlurm.start();
        killed = Study.of(StudySpec.parse(KILLED, "killed.yaml"), new ToyExperiment(), dir, "killed.yaml");
        // the run's heap may grow past --mem, so that SLURM, not the JVM, stops the hog
        killedOptions = RunOptions.defaults().withOut(dir.resolve("killed")).withExecutor(Executor.SLURM)
                .withProgress(new PrintStream(progress, true, StandardCharsets.UTF_8))
                .withChildJvm(null, List.of("-Xmx1g", "-D" + ChildProcessLauncher.THREADS + "=1"));
        SlurmSubmission s = killed.submit(killedOptions);
        assertTrue(s.submitted(), progress.toString(StandardCharsets.UTF_8));
        assertEquals(2, s.runs().size());
    }

    @AfterAll
    void stopTheCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The tiny stage-1 study: 2 variants x 2 seeds, seconds per run. */
    static String tinySpec() {
        JsonNode tiny = Configs.JSON.valueToTree(ExperimentConfig.tiny());
        return """
                name: slurm-tiny
                question: Does ITG change retrieval on a tiny world?
                kind: stage1
                base: %s
                grid:
                  - {path: objective.itgWeight, values: [0, 1], labels: [ITC+ITM, ITC+ITM+ITG]}
                seeds: 2
                metrics:
                  - {name: i2t_r1, better: higher}
                  - {name: t2i_r1, better: higher}
                  - {name: loss_itc, better: lower}
                slurm: {mem: 3G, arrayLimit: 2, time: "15"}
                """.formatted(tiny.toString());
    }

    @Test
    @Order(1)
    void aStudyRunsAsAJobArrayResumesAfterACancelAndMatchesTheLocalExecutor() throws Exception {
        Path spec = Files.writeString(dir.resolve("tiny.yaml"), tinySpec());
        Study study = Study.load(spec);
        PrintStream out = new PrintStream(progress, true, StandardCharsets.UTF_8);

        // the local executor: child JVMs with one PyTorch thread each
        RunOptions local = RunOptions.defaults().withOut(dir.resolve("local")).withParallel(2).withProgress(out)
                .withChildJvm(null, List.of("-Xmx2g", "-D" + ChildProcessLauncher.THREADS + "=1"));
        StudyResults here = study.run(local);
        assertEquals(0, here.failed(), Files.readString(dir.resolve("local/results.md")));

        // the command line submits the array and returns at once
        Path folder = dir.resolve("slurm");
        String submitted = cli(spec.toString(), "--executor", "slurm", "--out", folder.toString());
        assertTrue(submitted.contains("0 done, 0 in SLURM's queue, 4 to submit"), submitted);
        assertTrue(submitted.contains("submitted job "), submitted);
        String script = Files.readString(folder.resolve("slurm/study.sbatch"));
        for (String line : new String[] {"#SBATCH --array=0-3%2", "#SBATCH --cpus-per-task=1", "#SBATCH --mem=3G",
                "#SBATCH --time=15", "#SBATCH --job-name=qfl-slurm-tiny",
                "#SBATCH --output=" + folder.toAbsolutePath() + "/slurm/logs/%A_%a.out",
                "RUN_JVM=(-Xmx1536m -Dai.djl.pytorch.num_threads=1)", "org.qformerlab.ablations.SlurmTask"}) {
            assertTrue(script.contains(line), line + " missing from\n" + script);
        }

        // while it runs: two tasks at a time (the array limit), so at least two wait in the queue
        RunOptions slurm = RunOptions.defaults().withOut(folder).withExecutor(Executor.SLURM).withProgress(out);
        StudyStatus first = study.status(slurm);
        assertEquals(4, first.runs().size());
        String job = first.runs().get(0).task().split("_")[0];
        for (RunStatus r : first.runs()) {
            assertTrue(r.state() == RunStatus.State.PENDING || r.state() == RunStatus.State.RUNNING, r.toString());
            assertTrue(r.task().startsWith(job + "_"), r.toString());
        }
        assertTrue(first.count(RunStatus.State.PENDING) >= 2, first.table().print());
        String statusLine = cli(spec.toString(), "--status", "--out", folder.toString());
        assertTrue(statusLine.contains("4 runs: 0 done"), statusLine);
        assertTrue(statusLine.contains("in SLURM's queue (pending, reason "), statusLine);

        // cancel the first task once it runs: a cancelled run is recorded as failed, and no finished run is lost
        RunStatus victim = waitUntilRunning(study, slurm, job + "_0");
        Slurm.cancel(List.of(victim.task()));
        StudyStatus after = waitUntilQuiet(study, slurm);
        assertEquals(3, after.count(RunStatus.State.DONE), after.table().print());
        RunStatus cancelled = after.of(victim.run());
        assertEquals(RunStatus.State.FAILED, cancelled.state());
        assertEquals("cancelled (scancel) while running; submit again to run it", cancelled.detail());
        StudyResults partial = study.run(slurm.withReportOnly(true));
        assertEquals(1, partial.failed());
        assertTrue(partial.table().stringColumn("failures").asList().stream()
                .anyMatch(f -> f.contains("cancelled (scancel) while running")), partial.table().print());

        // a second submission runs only the cancelled run, waits for it, and completes the study
        StudyResults there = study.run(slurm);
        assertEquals(1, there.executed());
        assertEquals(0, there.failed(), there.table().print());
        List<String> submissions = Files.readAllLines(folder.resolve("slurm/submissions.jsonl"));
        assertEquals(2, submissions.size());
        assertTrue(submissions.get(1).contains("\"runs\":[\"" + victim.run() + "\"]"), submissions.get(1));
        assertEquals(4, study.status(slurm).count(RunStatus.State.DONE));

        // bit-identical to the local executor: every metric but the timings, run by run and in the summary
        for (RunRecord r : there.records()) {
            RunResult mine = r.result();
            RunResult theirs = RunFiles.read(dir.resolve("local/runs").resolve(r.plan().id()).resolve("result.json"),
                    RunResult.class);
            assertEquals(withoutTimings(theirs.metrics()), withoutTimings(mine.metrics()), r.plan().id());
        }
        assertEquals(withoutTimings(here.table()).print(), withoutTimings(there.table()).print());
    }

    @Test
    @Order(2)
    void runsSlurmKillsForMemoryAndTimeAreRecordedAsFailedWithTheReason() throws Exception {
        StudyStatus s = waitUntilQuiet(killed, killedOptions);
        RunStatus hog = s.of("memory-hog-seed1");
        RunStatus sleeper = s.of("sleeper-seed1");
        assertEquals(RunStatus.State.FAILED, hog.state(), s.table().print());
        assertEquals("killed by SLURM: out of memory (--mem 400M); ask for more with --mem", hog.detail());
        assertEquals(RunStatus.State.FAILED, sleeper.state(), s.table().print());
        assertEquals("killed by SLURM: time limit (--time 1) reached; ask for more with --time", sleeper.detail());
        // recorded in the run folders, so the table shows them
        RunResult recorded = RunFiles.read(dir.resolve("killed/runs/sleeper-seed1/result.json"), RunResult.class);
        assertNotNull(recorded);
        assertEquals(sleeper.detail(), recorded.reason());
        Table t = killed.run(killedOptions.withReportOnly(true)).table();
        assertEquals(List.of("seed 1: " + hog.detail(), "seed 1: " + sleeper.detail()),
                t.stringColumn("failures").asList());
        assertFalse(Slurm.queue().keySet().stream().anyMatch(task -> task.startsWith(hog.task().split("_")[0] + "_")));
    }

    /** {@code qformerlab ablate argv...} in this JVM: what it printed. */
    private static String cli(String... argv) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = new AblateVerb().run(new Args(argv), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        return out;
    }

    private static RunStatus waitUntilRunning(Study study, RunOptions options, String task) throws Exception {
        for (int i = 0; i < 1200; i++) {
            for (RunStatus r : study.status(options).runs()) {
                if (task.equals(r.task()) && r.state() == RunStatus.State.RUNNING) {
                    return r;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError(task + " did not start within 2 minutes:\n" + study.status(options).table().print());
    }

    private static StudyStatus waitUntilQuiet(Study study, RunOptions options) throws Exception {
        for (int i = 0; i < 600; i++) {
            StudyStatus s = study.status(options);
            if (s.count(RunStatus.State.PENDING) + s.count(RunStatus.State.RUNNING) == 0) {
                return s;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the study's tasks did not leave the queue within 5 minutes:\n"
                + study.status(options).table().print());
    }

    /** The metrics without those that measure speed. */
    private static Map<String, Double> withoutTimings(Map<String, Double> metrics) {
        Map<String, Double> out = new TreeMap<>(metrics);
        out.keySet().removeIf(k -> k.endsWith("_per_s"));
        return out;
    }

    private static Table withoutTimings(Table table) {
        List<String> drop = new ArrayList<>();
        for (String c : table.columnNames()) {
            if (c.endsWith("_per_s") || c.equals("wall_s")) {
                drop.add(c);
            }
        }
        return table.copy().removeColumns(drop.toArray(String[]::new));
    }
}
