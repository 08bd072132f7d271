package org.qformerlab.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.train.MetricsLog;

/** {@code qformerlab quickstart} end to end on the tiny preset, and its error messages. */
class QuickstartVerbTest {

    @TempDir
    Path dir;

    private static CommandLineRun run(String... argv) {
        return CommandLineRun.of(argv);
    }

    @Test
    void tinyRunWritesTheRunFolderAndPrintsTheReportPath() throws Exception {
        Path config = dir.resolve("c.yaml");
        Files.writeString(config, "train:\n  steps: 4\n  evalEvery: 2\n");
        Path run = dir.resolve("run");
        CommandLineRun o = run("quickstart", "--preset", "tiny", "--config", config.toString(), "--out", run.toString(),
                "--seed", "3", "--device", "cpu", "--cache", dir.resolve("cache").toString());
        assertEquals(0, o.code(), o.err());
        for (String f : List.of("config.json", "metrics.jsonl", "results.json", "report.md", "tokenizer.json")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f + " missing; stdout:\n" + o.out());
        }
        assertTrue(Files.isDirectory(run.resolve("checkpoints/step-000004")));
        try (var figures = Files.list(run)) {
            assertTrue(figures.filter(p -> p.toString().endsWith(".png")).count() >= 4, "plots are missing");
        }
        String lastLine = o.out().strip().lines().reduce((a, b) -> b).orElse("");
        assertEquals("report: " + run.resolve("report.md").toAbsolutePath().normalize(), lastLine);
        assertTrue(o.out().contains("step 4/4"), o.out());
        assertTrue(o.out().contains("val @ step 2"), o.out());
        assertTrue(Files.readString(run.resolve("config.json")).contains("\"seed\" : 3"));
        // stage 2 from the stage-1 checkpoint and from scratch, both in the report
        for (String s2 : List.of("stage2-from-stage1", "stage2-scratch")) {
            assertTrue(Files.isRegularFile(run.resolve(s2).resolve("results.json")), s2 + " missing; stdout:\n" + o.out());
        }
        String report = Files.readString(run.resolve("report.md"));
        assertTrue(report.contains("Stage 2") && report.contains("Zero-shot VQA") && report.contains("scratch"), report);
        assertTrue(report.contains("Question by question (the same "), "the two inits tested on the same questions: "
                + report);
        assertTrue(o.out().contains("time: total"), o.out());

        // resuming a finished run trains nothing more: no step is trained in any of the three runs, each
        // says where it resumes, and the checkpoints and the logged steps stay as they were
        List<Path> runs = List.of(run, run.resolve("stage2-from-stage1"), run.resolve("stage2-scratch"));
        Map<Path, byte[]> weights = new HashMap<>();
        Map<Path, List<Long>> steps = new HashMap<>();
        for (Path r : runs) {
            weights.put(r, Files.readAllBytes(latest(r).resolve("model.safetensors")));
            steps.put(r, trainingSteps(r));
        }
        assertEquals(List.of(1L, 2L, 3L, 4L), steps.get(run));
        CommandLineRun again = run("quickstart", "--resume", "--out", run.toString(), "--cache", dir.resolve("cache").toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("resuming " + run), again.out());
        assertFalse(again.out().lines().anyMatch(l -> l.matches("step \\d+/\\d+ .*")), "a finished run trains no step:\n"
                + again.out());
        for (Path r : runs) {
            long last = steps.get(r).get(steps.get(r).size() - 1);
            assertTrue(again.out().contains("resuming from " + latest(r) + " (step " + last + ")"), again.out());
            assertArrayEquals(weights.get(r), Files.readAllBytes(latest(r).resolve("model.safetensors")), r.toString());
            assertEquals(steps.get(r), trainingSteps(r), r + ": no step logged again");
        }
        assertTrue(again.out().contains("report: "), again.out());
    }

    private static Path latest(Path run) throws IOException {
        return run.resolve("checkpoints").resolve(Files.readString(run.resolve("checkpoints/latest")).trim());
    }

    private static List<Long> trainingSteps(Path run) throws IOException {
        return MetricsLog.read(run.resolve("metrics.jsonl")).stream().filter(x -> !x.containsKey("eval"))
                .map(x -> ((Number) x.get("step")).longValue()).toList();
    }

    @Test
    void usageAndConfigErrorsAreShortMessages() throws Exception {
        CommandLineRun typo = run("quickstart", "--stepz", "3");
        assertEquals(2, typo.code());
        assertTrue(typo.err().startsWith("qformerlab quickstart: unknown option --stepz"), typo.err());

        CommandLineRun steps = run("quickstart", "--steps", "many");
        assertEquals(2, steps.code());
        assertTrue(steps.err().contains("--steps needs a whole number, got 'many'"), steps.err());

        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "qformer:\n  numQuerys: 3\n");
        CommandLineRun unknown = run("quickstart", "--preset", "tiny", "--config", bad.toString(), "--out", dir.resolve("x").toString());
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("unknown field 'numQuerys'"), unknown.err());
        assertFalse(unknown.err().contains("\tat "), "no stack trace: " + unknown.err());

        CommandLineRun path = run("quickstart", "--preset", "tiny", "--set", "qformer.numQuery=3", "--out", dir.resolve("y").toString());
        assertEquals(1, path.code());
        assertTrue(path.err().contains("'qformer' has no field 'numQuery'"), path.err());

        CommandLineRun missing = run("quickstart", "--config", dir.resolve("nope.yaml").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("config file not found"), missing.err());

        CommandLineRun help = run("quickstart", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--resume"), help.out());
    }
}
