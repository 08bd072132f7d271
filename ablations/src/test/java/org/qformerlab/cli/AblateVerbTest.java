package org.qformerlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AblateVerbTest {

    @TempDir
    Path dir;

    static final String SPEC = """
            name: toy-width
            question: Does a wider toy score higher?
            kind: toy
            grid:
              - {path: model.width, values: [4, 8]}
            seeds: 3
            metrics:
              - {name: score, better: higher}
            quick:
              seeds: 1
              set: {train.steps: 1}
            """;

    String run(String... argv) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = new AblateVerb().run(new Args(argv), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertEquals(0, code, bytes.toString(StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void runsAStudyAndPrintsTheTableAndTheAnswer() throws Exception {
        Path spec = Files.writeString(dir.resolve("toy.yaml"), SPEC);
        String out = run(spec.toString(), "--out", dir.resolve("study").toString(), "--parallel", "1");
        assertTrue(out.contains("| variant"), out);
        assertTrue(out.contains("width=8 beats width=4 on score by 4 ± 0.8165 over 3 seeds."), out);
        assertTrue(out.contains("On score, width=8 is better than width=4 by +4 ± 0 (mean paired difference over 3"
                + " seeds, p < 0.001; the detectable effect at 3 seeds is 0)."), out);
        assertTrue(Files.isRegularFile(dir.resolve("study/report.md")));
        assertTrue(run(spec.toString(), "--out", dir.resolve("study").toString()).contains("0 to do"));
    }

    @Test
    void quickUsesTheQuickSectionAndPlanRunsNothing() throws Exception {
        Path spec = Files.writeString(dir.resolve("toy.yaml"), SPEC);
        String plan = run(spec.toString(), "--quick", "--plan", "--out", dir.resolve("q").toString());
        assertTrue(plan.contains("width-4"), plan);
        assertTrue(plan.contains("2 runs under"), plan);
        assertFalse(Files.exists(dir.resolve("q")));
        String out = run(spec.toString(), "--quick", "--out", dir.resolve("q").toString());
        assertTrue(out.contains("with 1 seed the seed spread is unknown"), out);
        assertTrue(Files.readString(dir.resolve("q/report.md")).contains("Quick run"));
    }

    /** A finished run of a pilot study, as the runner records it in runs/<variant>-seed<k>/result.json. */
    static void pilotRun(Path pilot, String variant, long seed, double score) throws Exception {
        Path run = Files.createDirectories(pilot.resolve("runs/" + variant.replace("=", "-") + "-seed" + seed));
        Files.writeString(run.resolve("result.json"), String.format(java.util.Locale.ROOT,
                "{\"variant\": \"%s\", \"seed\": %d, \"status\": \"ok\", \"metrics\": {\"score\": %s},"
                        + " \"wallSeconds\": 1.0, \"attempts\": 1}", variant, seed, score));
    }

    /**
     * The pilot's pairs differ by 0.01, 0.03, 0.02: s_d = 0.01. With table quantiles the MDE is
     * n = 2: (12.706 + 1.376) 0.01 / sqrt(2) = 0.09958; n = 3: (4.303 + 1.061) 0.01 / sqrt(3) = 0.03097;
     * n = 4: (3.182 + 0.978) 0.01 / 2 = 0.0208; n = 5: (2.776 + 0.941) 0.01 / sqrt(5) = 0.01662, the
     * first at most 0.02.
     */
    @Test
    void planWithAPilotStatesTheDetectableEffectBySeeds() throws Exception {
        Path spec = Files.writeString(dir.resolve("toy.yaml"), SPEC);
        Path pilot = dir.resolve("pilot");
        double[] base = {0.5, 0.6, 0.7};
        double[] diff = {0.01, 0.03, 0.02};
        for (int k = 0; k < 3; k++) {
            pilotRun(pilot, "width=4", k + 1, base[k]);
            pilotRun(pilot, "width=8", k + 1, base[k] + diff[k]);
        }
        pilotRun(pilot, "width=16", 1, 0.9); // a variant this spec does not have: ignored
        String out = run(spec.toString(), "--plan", "--pilot", pilot.toString());
        assertTrue(out.contains("6 runs under"), out);
        assertTrue(out.contains("power on score (the headline), paired against the baseline width=4, from the pilot "
                + pilot + ":"), out);
        assertTrue(out.contains("s_d of the paired differences (variant - baseline): width=8 0.01 over 3 seeds"), out);
        assertTrue(out.contains("| seeds | MDE |"), out);
        for (String row : new String[] {"| 2 | 0.09958 |", "| 3 | 0.03097 |", "| 4 | 0.0208 |", "| 5 | 0.01662 |",
                "| 12 | "}) {
            assertTrue(out.contains(row), row + " missing from\n" + out);
        }
        assertTrue(out.contains("at the spec's 3 seeds: MDE 0.03097"), out);
        assertTrue(out.contains("for MDE <= 0.02: 5 seeds"), out);
        // a looser target needs fewer seeds; --quick plans the quick section's single seed
        assertTrue(run(spec.toString(), "--plan", "--pilot", pilot.toString(), "--target", "0.05")
                .contains("for MDE <= 0.05: 3 seeds"));
        assertTrue(run(spec.toString(), "--plan", "--quick", "--pilot", pilot.toString())
                .contains("at the spec's 1 seed: no paired test (it needs at least 2 seeds)"));
        assertFalse(Files.exists(dir.resolve("runs")), "--plan runs nothing");
    }

    @Test
    void planWithoutAPilotSaysOneIsNeededAndPilotOptionsAreChecked() throws Exception {
        Path spec = Files.writeString(dir.resolve("toy.yaml"), SPEC);
        assertTrue(run(spec.toString(), "--plan").contains("power: unknown without a pilot; give --pilot DIR"));
        String[][] cases = {
            {"--pilot", "x"},
            {"--plan", "--target", "0.01"},
            {"--plan", "--pilot", "x", "--target", "-1"},
        };
        String[] messages = {
            "--pilot goes with --plan",
            "--target needs a pilot to measure the spread: add --plan --pilot DIR",
            "--target needs a positive detectable effect, got -1.0",
        };
        assertUsageErrors(spec, cases, messages);
        // a pilot without runs, or with one seed each, cannot give a spread
        String m = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> run(spec.toString(), "--plan", "--pilot", dir.resolve("none").toString())).getMessage();
        assertTrue(m.contains("none/runs does not exist: give a study folder that holds runs/<variant>-seed<k>/result.json"), m);
        Path thin = dir.resolve("thin");
        pilotRun(thin, "width=4", 1, 0.5);
        pilotRun(thin, "width=8", 1, 0.6);
        m = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> run(spec.toString(), "--plan", "--pilot", thin.toString())).getMessage();
        assertTrue(m.contains("no variant in " + thin.resolve("runs") + " has 2 seeds paired with the baseline width=4 on"
                + " score (finished seeds: width=4 1, width=8 1)"), m);
    }

    @Test
    void reportOnlyRebuildsTheReportWithoutRunning() throws Exception {
        Path spec = Files.writeString(dir.resolve("toy.yaml"), SPEC);
        Path study = dir.resolve("study");
        assertEquals(1, Main.run(new String[] {"ablate", spec.toString(), "--report-only", "--out", study.toString()}),
                "nothing to report yet");
        run(spec.toString(), "--out", study.toString(), "--parallel", "1");
        Files.delete(study.resolve("report.md"));
        String out = run(spec.toString(), "--report-only", "--out", study.toString());
        assertTrue(out.contains("report only, 6 of 6 runs finished"), out);
        assertTrue(out.contains("width=8 beats width=4 on score"), out);
        assertTrue(Files.isRegularFile(study.resolve("report.md")));
    }

    @Test
    void isRegisteredAndRejectsMisspeltOptionsAndBadSpecs() throws Exception {
        assertTrue(Main.verbNames().contains("ablate"));
        Path spec = Files.writeString(dir.resolve("toy.yaml"), SPEC);
        assertEquals(2, Main.run(new String[] {"ablate", spec.toString(), "--quik"}));
        Path bad = Files.writeString(dir.resolve("bad.yaml"), SPEC.replace("model.width", "model.wdth"));
        assertEquals(1, Main.run(new String[] {"ablate", bad.toString(), "--plan"}));
    }

    @Test
    void aDryRunWritesTheBatchScriptAndSubmitsNothing() throws Exception {
        Path spec = Files.writeString(dir.resolve("toy.yaml"), SPEC + "slurm: {mem: 2G, partition: cpu}\n");
        Path study = dir.resolve("study");
        String out = run(spec.toString(), "--executor", "slurm", "--dry-run", "--out", study.toString(), "--mem", "4G",
                "--array-limit", "2", "--sbatch", "qos=short", "--setup", "module load java/17");
        assertTrue(out.contains("0 done, 0 in SLURM's queue, 6 to submit"), out);
        assertTrue(out.contains("dry run: wrote " + study.toAbsolutePath() + "/slurm/study.sbatch (array 0-5%2, 6 runs);"
                + " nothing submitted"), out);
        String script = Files.readString(study.resolve("slurm/study.sbatch"));
        for (String line : new String[] {"#SBATCH --array=0-5%2", "#SBATCH --mem=4G", "#SBATCH --partition=cpu",
                "#SBATCH --qos=short", "\nmodule load java/17\n", "RUN_JVM=(-Xmx2048m -Dai.djl.pytorch.num_threads=1)",
                "  width-8-seed1\n"}) {
            assertTrue(script.contains(line), line + " missing from\n" + script);
        }
        // the run folders are ready for the script: config, plan and what the task needs to know
        Path run = study.resolve("runs/width-8-seed1");
        assertTrue(Files.isRegularFile(run.resolve("config.json")));
        assertTrue(Files.readString(run.resolve("task.json")).contains("\"variant\" : \"width=8\""));
        assertFalse(Files.exists(study.resolve("slurm/submissions.jsonl")), "nothing submitted, nothing recorded");
        // and --status says so
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new AblateVerb().run(new Args(new String[] {spec.toString(), "--status", "--out", study.toString()}),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String status = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(status.contains("6 runs: 0 done, 0 running, 6 pending, 0 failed"), status);
        assertTrue(status.contains("not submitted"), status);
    }

    @Test
    void statusTellsDoneFromFailedRunsWithTheReason() throws Exception {
        Path spec = Files.writeString(dir.resolve("toy.yaml"), SPEC.replace("seeds: 3", "seeds: 1")
                .replace("values: [4, 8]}", "values: [4, 8]}\n  - {path: behaviour.crash, values: [false, true]}"));
        Path study = dir.resolve("study");
        assertEquals(1, new AblateVerb().run(new Args(new String[] {spec.toString(), "--out", study.toString(),
                "--parallel", "1"}),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = new AblateVerb().run(new Args(new String[] {spec.toString(), "--status", "--out", study.toString()}),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String status = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, "some runs failed: " + status);
        assertTrue(status.contains("4 runs: 2 done, 0 running, 0 pending, 2 failed"), status);
        assertTrue(status.contains("IllegalStateException: toy crash requested by behaviour.crash"), status);
    }

    @Test
    void slurmOptionsAreCheckedBeforeAnythingRuns() throws Exception {
        Path spec = Files.writeString(dir.resolve("toy.yaml"), SPEC);
        String[][] cases = {
            {"--executor", "pbs"},
            {"--mem", "8G"},
            {"--executor", "slurm", "--parallel", "2"},
            {"--executor", "slurm", "--mem", "8 GB"},
            {"--executor", "slurm", "--wait", "--dry-run"},
        };
        String[] messages = {
            "--executor: no executor 'pbs'; choose one of [local, slurm]",
            "--wait, --dry-run and the SLURM resource options need --executor slurm",
            "--parallel is for the local executor; with --executor slurm limit the runs at once with --array-limit N",
            "--mem='8 GB' is not a SLURM memory size",
            "--dry-run submits nothing, so there is nothing to --wait for",
        };
        assertUsageErrors(spec, cases, messages);
        assertFalse(Files.exists(dir.resolve("runs")));
    }

    @Test
    void anOptionGivenTwiceKeepsEveryValue() {
        Args a = new Args(new String[] {"--sbatch", "qos=short", "--sbatch=--nice=10", "--mem", "1G"});
        assertEquals(java.util.List.of("qos=short", "--nice=10"), a.strings("sbatch"));
        assertEquals("1G", a.string("mem", null));
        assertEquals(java.util.List.of(), a.strings("setup"));
        a.checkAllUsed();
    }

    /** Each case (the spec, then its options) is refused with a usage error starting with its message. */
    private static void assertUsageErrors(Path spec, String[][] cases, String[] messages) {
        for (int i = 0; i < cases.length; i++) {
            String[] argv = new String[cases[i].length + 1];
            argv[0] = spec.toString();
            System.arraycopy(cases[i], 0, argv, 1, cases[i].length);
            String m = org.junit.jupiter.api.Assertions.assertThrows(Args.UsageException.class,
                    () -> new AblateVerb().run(new Args(argv), new PrintStream(new ByteArrayOutputStream()))).getMessage();
            assertTrue(m.startsWith(messages[i]), m);
        }
    }
}
