package org.qformerlab.ablations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

class StudyRunnerTest {

    @TempDir
    Path dir;

    final ByteArrayOutputStream progress = new ByteArrayOutputStream();

    RunOptions options() {
        return RunOptions.defaults().withOut(dir.resolve("study"))
                .withProgress(new PrintStream(progress, true, StandardCharsets.UTF_8));
    }

    static Study study(String body) {
        return StudySpecTest.study(body);
    }

    static int row(Table t, String variant) {
        for (int i = 0; i < t.rowCount(); i++) {
            if (t.stringColumn("variant").get(i).equals(variant)) {
                return i;
            }
        }
        throw new AssertionError("no row " + variant + " in\n" + t);
    }

    /**
     * A zip axis whose values repeat names no line to draw: held constant (depth 2, 2), or shared by
     * two variants that differ elsewhere (depth 2, 2, 3 beside widths 4, 8, 16, as study 09's control
     * shares nothing but a learning rate that two variants have), the points at one x would be
     * different variants. Only an axis with a distinct value per variant is drawn against, and of
     * several such axes of one zip (depth 1, 2, 3 beside widths 4, 8, 16) only the first: the others
     * would draw the same points.
     */
    @Test
    void aZipAxisWhoseValuesRepeatGetsNoPlotAgainstIt() throws Exception {
        for (String depths : new String[] {"[2, 2]", "[2, 2, 3]", "[1, 2, 3]"}) {
            String widths = depths.equals("[2, 2]") ? "[4, 8]" : "[4, 8, 16]";
            // [1, 2, 3]: every value distinct, drawn against width only
            StudyResults r = study("zip:\n  - {path: model.width, values: " + widths + "}\n"
                    + "  - {path: model.depth, values: " + depths + "}\nseeds: 1\n").run(options());
            String report = Files.readString(r.report());
            assertTrue(report.contains("vs width"), report);
            assertFalse(report.contains("vs depth"), depths + ": " + report);
        }
    }

    /**
     * The first screen of the report: question, answer with its power, the paper, the main table, the
     * main figure, the time; everything else below. Width 8 runs with noise 1.5, so its scores are
     * 18 + 1.5 seed against width 4's 14 + seed: the pairs differ by 4.5, 5, 5.5 (mean 5, s_d 0.5,
     * se 0.2887, t = 17.3 on 2 degrees of freedom, p = 1 - sqrt(300/302) = 0.0033; MDE = 5.3633 * 0.5
     * / sqrt(3) = 1.548).
     */
    @Test
    void theReportOpensWithTheAnswerItsPowerTheMainTableAndFigure() throws Exception {
        StudyResults r = study("""
                zip:
                  - {path: model.width, values: [4, 8]}
                  - {path: train.noise, values: [1.0, 1.5], labels: [calm, noisy]}
                seeds: 3
                notes: Noise grows with width.
                plots: {bars: [], lossCurves: [total]}
                """).run(options());
        String report = Files.readString(r.report());
        String answer = "On score, noisy is better than calm by +5 ± 0.2887 (mean paired difference"
                + " over 3 seeds, p = 0.003; the detectable effect at 3 seeds is 1.548).";
        assertEquals(answer, r.headline().sentence());
        String[] order = {
            "# Ablation: toy-study",
            "**Question.** Does width help?",
            "**Answer.** " + answer,
            "| variant | n | score mean ± SE | effect vs calm ± SE | MDE | Holm p | verdict |",
            "| calm (baseline) | 3 | 16 ± 0.5774 |  |  |  | baseline |",
            "| noisy | 3 | 21 ± 0.866 | +5 ± 0.2887 | 1.548 | 0.003317 | better |",
            "![score by variant](fig-01-score-by-variant.png)",
            "**Time.** 6 runs took ",
            "## Setup",
            "- Headline: score, against the baseline calm.",
            "## Notes\n\nNoise grows with width.",
            "## Results",
            "## Per metric",
            "## Seed by seed",
            "## Figures",
            "## How to read the answer",
            "## Runs",
            "| noisy |",
            "| 3 | ok | 22.5 |",
        };
        int at = -1;
        for (String line : order) {
            at = report.indexOf(line, at + 1);
            assertTrue(at >= 0, "'" + line + "' should follow what comes before it in\n" + report);
        }
        // the headline's bars are drawn though plots.bars leaves them out, and only once
        assertEquals(1, report.lines().filter(l -> l.startsWith("![score by variant]")).count(), report);
        assertTrue(Files.isRegularFile(r.folder().resolve("fig-01-score-by-variant.png")));
        // the first screen is short: the main figure within the first 20 lines
        List<String> lines = report.lines().toList();
        assertTrue(lines.indexOf("![score by variant](fig-01-score-by-variant.png)") < 20, report);
    }

    @Test
    void theCostliestRunsStartFirstAndTheTableKeepsTheSpecsOrder() throws Exception {
        StudyResults r = study("""
                grid:
                  - {path: model.width, values: [4, 16, 8]}
                seeds: 2
                """).run(options());
        String out = progress.toString(StandardCharsets.UTF_8);
        int w16 = out.indexOf("width-16-seed1");
        int w16b = out.indexOf("width-16-seed2");
        int w8 = out.indexOf("width-8-seed1");
        int w4 = out.indexOf("width-4-seed1");
        assertTrue(w16 >= 0 && w16 < w16b && w16b < w8 && w8 < w4, "runs should start widest first:\n" + out);
        Table t = r.table();
        assertEquals("width=4", t.stringColumn("variant").get(0));
        assertEquals("width=16", t.stringColumn("variant").get(1));
        assertEquals("width=8", t.stringColumn("variant").get(2));
    }

    @Test
    void theTableHoldsMeanAndStdOverSeedsOfEachRunsMetrics() throws Exception {
        StudyResults r = study("""
                grid:
                  - {path: model.width, values: [4, 8]}
                seeds: 3
                plots: {lossCurves: [total]}
                paper: {finding: Wider is better., better: width=8, worse: width=4, metric: score}
                """).run(options());
        Table t = r.table();
        // width 4: scores 4 + 10 + seed for seeds 1, 2, 3 -> 15, 16, 17: mean 16, sample std 1
        int w4 = row(t, "width=4");
        assertEquals(16.0, t.doubleColumn("score_mean").get(w4), 1e-12);
        assertEquals(1.0, t.doubleColumn("score_std").get(w4), 1e-12);
        assertEquals(3.0, t.doubleColumn("n").get(w4));
        assertEquals(0.0, t.doubleColumn("failed").get(w4));
        // the mean equals the mean of the per-run results stored in result.json
        double sum = 0;
        for (long seed = 1; seed <= 3; seed++) {
            RunResult one = RunFiles.read(r.folder().resolve("runs/width-8-seed" + seed + "/result.json"), RunResult.class);
            assertEquals(RunResult.OK, one.status());
            sum += one.metrics().get("score");
        }
        assertEquals(sum / 3, t.doubleColumn("score_mean").get(row(t, "width=8")), 1e-12);
        // costs reported by the experiment are shown; trainable params = width^2 * depth
        assertEquals(128.0, t.doubleColumn("trainable_params").get(row(t, "width=8")));
        assertTrue(t.columnNames().contains("steps_per_s"));
        assertEquals(6, r.runs().rowCount());
        assertEquals("width=8 beats width=4 on score by 4 ± 0.8165 over 3 seeds.", r.answer());
        // the files of the study and of a run
        for (String f : new String[] {"results.csv", "results.md", "runs.csv", "report.md"}) {
            assertTrue(Files.isRegularFile(r.folder().resolve(f)), f);
        }
        Path run = r.folder().resolve("runs/width-4-seed2");
        assertEquals(4, RunFiles.readTree(run.resolve("config.json")).get("model").get("width").asInt());
        assertEquals(2, RunFiles.readTree(run.resolve("config.json")).get("train").get("seed").asInt());
        assertTrue(Files.readString(run.resolve("log.txt")).contains("toy: score 16.0"));
        assertTrue(Files.isRegularFile(run.resolve("metrics.jsonl")));
        String report = Files.readString(r.report());
        assertTrue(report.contains("**Question.** Does width help?"), report);
        // the toy scores width + 10 + seed: every pair differs by exactly 4, so no spread and p = 0
        assertEquals("On score, width=8 is better than width=4 by +4 ± 0 (mean paired difference over 3 seeds, p <"
                + " 0.001; the detectable effect at 3 seeds is 0).", r.headline().sentence());
        assertTrue(report.contains("**Answer.** " + r.headline().sentence()), report);
        assertTrue(report.contains("**Against the paper.** The paper's direction shows: width=8 - width=4 = +4 ± 0 on"
                + " score over 3 paired seeds (p < 0.001). The paper: Wider is better."), report);
        assertTrue(report.contains("- " + r.answer()), "the means compared, per metric: " + report);
        // the toy scores width + 10 + seed: the pairs of one seed differ by exactly 4
        assertTrue(report.contains("## Seed by seed") && report.contains(
                "score, seed by seed: width=8 - width=4 = 4 ± 0 over 3 seeds, the same difference in every seed;"
                        + " width=8 ahead in 3 of 3."), report);
        assertTrue(report.contains("## Against the paper, in detail\n\nWider is better. Here: ")
                && report.contains("Paired by seed, width=8 - width=4 = 4 in every one of 3 seeds."), report);
        // bars for score, score vs width, total curves: three figures, all written
        long figures = report.lines().filter(l -> l.startsWith("![")).count();
        assertEquals(3, figures, report);
        report.lines().filter(l -> l.startsWith("![")).forEach(l -> {
            String file = l.substring(l.indexOf('(') + 1, l.length() - 1);
            assertTrue(Files.isRegularFile(r.folder().resolve(file)), file);
        });
    }

    @Test
    void aSecondRunSkipsFinishedRunsAndRedoesMissingOnes() throws Exception {
        Study s = study("grid:\n  - {path: model.width, values: [4, 8]}\nseeds: 2\n");
        int before = ToyExperiment.RUNS.get();
        assertEquals(4, s.run(options()).executed());
        assertEquals(4, ToyExperiment.RUNS.get() - before);

        StudyResults again = s.run(options());
        assertEquals(0, again.executed());
        assertEquals(4, ToyExperiment.RUNS.get() - before, "no run executed the second time");
        assertEquals(2.0, again.table().doubleColumn("n").get(0));

        // a run that crashed before writing its result is redone, and only that one
        Files.delete(dir.resolve("study/runs/width-8-seed2/result.json"));
        assertEquals(1, s.run(options()).executed());
        assertEquals(5, ToyExperiment.RUNS.get() - before);

        // a plan.json from a version without model.depth still is this plan's: the field takes its default
        Path plan = dir.resolve("study/runs/width-4-seed1/plan.json");
        ObjectNode older = (ObjectNode) RunFiles.readTree(plan);
        ((ObjectNode) older.get("model")).remove("depth");
        RunFiles.writeJson(plan, older);
        assertEquals(0, s.run(options()).executed(), "a field added since does not make a finished run another config's");
        // but not when the study sets that field to something else
        Study deeper = study("base:\n  model: {depth: 3}\ngrid:\n  - {path: model.width, values: [4, 8]}\nseeds: 2\n");
        assertEquals(4, deeper.run(options()).executed());
    }

    /**
     * A stop asked during the second run of an experiment that cannot stop inside a run: it finishes,
     * the third never starts, and a second call does the rest.
     */
    @Test
    void aStopEndsTheStudyAtARunBoundaryKeepingTheFinishedRuns() throws Exception {
        Study s = study("base:\n  behaviour: {stepStops: false}\ngrid:\n  - {path: model.width, values: [4, 8]}\nseeds: 2\n");
        int before = ToyExperiment.RUNS.get();
        RunOptions stopAfterTwo = options().withStopRequested(() -> ToyExperiment.RUNS.get() - before >= 2);
        StudyStoppedException stop = assertThrows(StudyStoppedException.class, () -> s.run(stopAfterTwo));
        assertEquals(2, stop.finished());
        assertEquals(4, stop.pending());
        assertEquals(dir.resolve("study"), stop.folder());
        assertEquals(2, ToyExperiment.RUNS.get() - before, "no run starts after the stop");
        assertTrue(stop.getMessage().startsWith("study stopped at a run boundary after 2 of 4 pending runs"),
                stop.getMessage());

        StudyResults rest = s.run(options());
        assertEquals(2, rest.executed(), "the finished runs are kept; only the other two run");
        assertEquals(4, ToyExperiment.RUNS.get() - before);
    }

    /**
     * A stop asked while a run trains in this JVM ends it at the next step boundary with a checkpoint:
     * the finished run is kept, the stopped one has no result, and the next call continues it from
     * its checkpoint instead of starting it over.
     */
    @Test
    void aStopDuringARunEndsItAtAStepBoundaryAndTheNextCallContinuesIt() throws Exception {
        Study s = study("grid:\n  - {path: model.width, values: [4, 8]}\nseeds: 1\n");
        int before = ToyExperiment.RUNS.get();
        // asked once the second run has begun: it stops after its first step (of the toy's 5)
        RunOptions stopInSecond = options().withStopRequested(() -> ToyExperiment.RUNS.get() - before >= 2);
        StudyStoppedException stop = assertThrows(StudyStoppedException.class, () -> s.run(stopInSecond));
        assertEquals(1, stop.finished());
        assertEquals(2, stop.pending());
        String partial = stop.stoppedRun();
        assertEquals("width-4-seed1", partial, "the costlier width-8 run went first and finished");
        assertEquals(1, stop.stop().step());
        assertEquals(5, stop.stop().totalSteps());
        Path runs = dir.resolve("study/runs");
        assertEquals(runs.resolve(partial).resolve("checkpoints/step-1"), stop.stop().checkpoint());
        assertTrue(Files.isDirectory(stop.stop().checkpoint()));
        assertTrue(Files.isRegularFile(runs.resolve("width-8-seed1/result.json")), "the finished run is kept");
        assertFalse(Files.exists(runs.resolve(partial).resolve("result.json")), "the stopped run has no result");
        assertTrue(stop.getMessage().startsWith("study stopped at step 1/5 of the run width-4-seed1 after 1 of 2"
                + " pending runs"), stop.getMessage());
        assertTrue(progress.toString(StandardCharsets.UTF_8).contains("[stopped] width-4-seed1: stopped at step 1/5"),
                progress.toString(StandardCharsets.UTF_8));

        StudyResults rest = s.run(options());
        assertEquals(1, rest.executed(), "only the stopped run runs again");
        assertEquals(0L, rest.failed());
        assertTrue(Files.readString(runs.resolve(partial).resolve("log.txt")).contains("toy: resumed after step 1"));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), Files.readAllLines(runs.resolve(partial).resolve("metrics.jsonl"))
                .stream().map(ToyExperiment::step).toList(), "every step once: the run continued");
    }

    @Test
    void reportOnlyRunsNothingAndReportsWhatIsThere() throws Exception {
        Study s = study("grid:\n  - {path: model.width, values: [4, 8]}\nseeds: 2\n");
        RunOptions reportOnly = options().withReportOnly(true);
        IllegalArgumentException nothing = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> s.run(reportOnly));
        assertTrue(nothing.getMessage().contains("nothing to report; run the study first"), nothing.getMessage());
        assertFalse(Files.exists(dir.resolve("study")), "report-only creates no study folder");

        s.run(options());
        Path runs = dir.resolve("study/runs");
        Files.delete(runs.resolve("width-8-seed2/result.json"));          // interrupted
        Files.delete(runs.resolve("width-4-seed2/plan.json"));            // from before plan.json
        RunFiles.writeJson(runs.resolve("width-4-seed1/plan.json"),       // another config's run
                RunFiles.readTree(runs.resolve("width-8-seed1/plan.json")));
        Files.delete(dir.resolve("study/report.md"));
        int before = ToyExperiment.RUNS.get();

        StudyResults r = s.run(reportOnly);
        assertEquals(before, ToyExperiment.RUNS.get(), "nothing runs");
        assertEquals(0, r.executed());
        assertTrue(Files.isRegularFile(r.report()), "the report is written again");
        Table t = r.table();
        assertEquals(1.0, t.doubleColumn("n").get(row(t, "width=4")), "the old run without plan.json counts");
        assertEquals(1.0, t.doubleColumn("n").get(row(t, "width=8")));
        assertEquals(2, r.failed());
        String failures = t.stringColumn("failures").get(row(t, "width=4"))
                + t.stringColumn("failures").get(row(t, "width=8"));
        assertTrue(failures.contains("ran with another config"), failures);
        assertTrue(failures.contains("not run yet"), failures);
        String line = progress.toString(StandardCharsets.UTF_8);
        assertTrue(line.contains("report only, 2 of 4 runs finished (1 predate plan.json"), line);

        // a normal run afterwards redoes those two, and the one without plan.json, which it cannot tell
        // from another config's
        assertEquals(3, s.run(options()).executed());
    }

    @Test
    void aChangedConfigIsRunAgainInAnEmptiedFolder() throws Exception {
        study("seeds: 1\n").run(options());
        Path run = dir.resolve("study/runs/base-seed1");
        Files.writeString(run.resolve("stale-checkpoint"), "x");
        StudyResults r = study("seeds: 1\nbase: {model: {width: 3}}\n").run(options());
        assertEquals(1, r.executed());
        assertFalse(Files.exists(run.resolve("stale-checkpoint")));
        assertEquals(3 + 10 + 1, r.records().get(0).result().metrics().get("score"));
    }

    @Test
    void aCrashingVariantIsInTheTableAsFailedWithItsReason() throws Exception {
        StudyResults r = study("""
                grid:
                  - {path: behaviour.crash, values: [false, true], labels: [fine, crashing]}
                seeds: 2
                """).run(options());
        Table t = r.table();
        int crashing = row(t, "crashing");
        assertEquals(0.0, t.doubleColumn("n").get(crashing));
        assertEquals(2.0, t.doubleColumn("failed").get(crashing));
        assertTrue(t.doubleColumn("score_mean").isMissing(crashing), "no mean without results");
        assertTrue(t.stringColumn("failures").get(crashing)
                .contains("seed 1: IllegalStateException: toy crash requested by behaviour.crash"), t.toString());
        assertEquals(2.0, t.doubleColumn("n").get(row(t, "fine")));
        assertEquals(2, r.failed());
        RunResult stored = RunFiles.read(dir.resolve("study/runs/crashing-seed1/result.json"), RunResult.class);
        assertEquals(RunResult.FAILED, stored.status());
        assertEquals(2, stored.attempts(), "retried once before being recorded as failed");
        assertTrue(r.answer().startsWith("Cannot answer on score"), r.answer());
        assertTrue(Files.readString(r.report()).contains("## Failed runs"));

        // a failed run is retried by the next invocation, not skipped
        assertEquals(2, study("""
                grid:
                  - {path: behaviour.crash, values: [false, true], labels: [fine, crashing]}
                seeds: 2
                """).run(options()).executed());
    }

    @Test
    void aTransientFailureSucceedsOnItsRetry() throws Exception {
        StudyResults r = study("base: {behaviour: {failOnce: true}}\nseeds: 1\n").run(options());
        RunResult only = r.records().get(0).result();
        assertEquals(RunResult.OK, only.status());
        assertEquals(2, only.attempts());
        assertTrue(Files.readString(dir.resolve("study/runs/base-seed1/log.txt")).contains("transient toy failure"));
    }

    @Test
    void aChildProcessThatKillsItsJvmFailsAloneAndTheStudyGoesOn() throws Exception {
        // exitCode 3 halts the JVM it runs in: only a child JVM can survive that
        StudyResults r = study("""
                grid:
                  - {path: behaviour.exitCode, values: [0, 3], labels: [fine, halting]}
                seeds: 1
                """).run(options().withParallel(2).withAttempts(1));
        Table t = r.table();
        assertEquals(1.0, t.doubleColumn("n").get(row(t, "fine")));
        assertEquals(19.0, t.doubleColumn("score_mean").get(row(t, "fine")), 1e-12);
        String failure = t.stringColumn("failures").get(row(t, "halting"));
        assertTrue(failure.contains("child process exited with code 3 before reporting a result"), failure);
        assertTrue(failure.contains("toy: halting the JVM with code 3"), failure);
        assertTrue(Files.readString(dir.resolve("study/runs/fine-seed1/log.txt")).contains("toy: score 19.0"));
    }
}
