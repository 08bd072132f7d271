package org.qformerlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qformerlab.bench.BenchConfig;
import org.qformerlab.bench.Stage1Flops;

/** {@code qformerlab bench} at a tiny size: parseable JSON with every promised field (no timing assertions). */
class BenchVerbTest {

    private static final String[] TINY = {
        "bench", "bench-small", "--only", "stage1-step", "--device", "cpu", "--matmul", "64",
        "--hidden", "16", "--layers", "2", "--heads", "2", "--intermediate", "32", "--queries", "4",
        "--cross-freq", "2", "--vision-width", "12", "--patches", "5", "--text-len", "6", "--vocab", "20",
        "--embed", "8", "--batch", "3", "--steps", "2", "--warmup", "1"
    };

    private static CommandLineRun run(String... argv) {
        return CommandLineRun.of(argv);
    }

    @Test
    void tinyStage1StepPrintsOneJsonObjectWithEveryField() throws Exception {
        CommandLineRun r = run(TINY);
        assertEquals(0, r.code(), r.err());
        List<JsonNode> lines = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            if (!line.isBlank()) {
                lines.add(new ObjectMapper().readTree(line)); // every stdout line is JSON
            }
        }
        assertEquals(1, lines.size(), r.out());
        JsonNode j = lines.get(0);
        assertEquals("stage1-step", j.get("name").asText());
        JsonNode c = j.get("config");
        assertEquals("bench-small", c.get("name").asText());
        assertEquals(16, c.get("hidden").asInt());
        assertEquals(3, c.get("batch").asInt());
        assertEquals(2, j.get("steps").asInt());
        for (String f : List.of("median_ms", "min_ms", "max_ms", "samples_per_s", "achieved_gflops",
                "matmul_gflops", "efficiency", "peak_rss_mb")) {
            assertTrue(j.get(f).isNumber() && j.get(f).asDouble() > 0, f + " = " + j.get(f));
        }
        assertTrue(j.get("min_ms").asDouble() <= j.get("median_ms").asDouble());
        assertTrue(j.get("median_ms").asDouble() <= j.get("max_ms").asDouble());
        BenchConfig tiny = new BenchConfig("t", "x", 16, 2, 2, 32, 4, 2, 12, 5, 6, 20, 8, 3, 2, 1);
        assertEquals((long) new Stage1Flops(tiny.qformer(), 3, 5, 6).trainingStep(), j.get("flops_per_step").asLong());
        assertEquals(64, j.get("matmul_size").asInt());
        for (String phase : List.of("image", "itc", "itm", "itg", "backward", "clip", "adamw")) {
            assertTrue(j.get("phases_ms").has(phase), "phase " + phase + " in " + j.get("phases_ms"));
        }
        assertTrue(Double.isFinite(j.get("loss").asDouble()), "loss " + j.get("loss"));
        assertTrue(j.get("engine").asText().startsWith("PyTorch"), j.get("engine").asText());
        assertEquals("cpu()", j.get("device").asText());
        assertEquals("float32", j.get("dtype").asText());
    }

    /** The preset's step, with a backward pass and AdamW moments per loss, at the same tiny size. */
    @Test
    void tinyPerLossStepReportsItsOwnPhases() throws Exception {
        String[] argv = TINY.clone();
        argv[3] = "stage1-step-per-loss";
        CommandLineRun r = run(argv);
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out().strip());
        assertEquals("stage1-step-per-loss", j.get("name").asText());
        assertTrue(j.get("median_ms").asDouble() > 0, j.toString());
        assertTrue(j.get("phases_ms").has("backward, clip, adamw per loss"), j.get("phases_ms").toString());
        assertTrue(Double.isFinite(j.get("loss").asDouble()), "loss " + j.get("loss"));
    }

    /** {@code --language t5} puts a frozen T5 behind the Q-Former in the stage-2 step. */
    @Test
    void languageT5RunsTheStage2StepBehindAT5() throws Exception {
        String[] argv = java.util.Arrays.copyOf(TINY, TINY.length + 2);
        argv[3] = "stage2-step";
        argv[TINY.length] = "--language";
        argv[TINY.length + 1] = "T5";
        CommandLineRun r = run(argv);
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out().strip());
        assertEquals("stage2-step", j.get("name").asText());
        assertEquals("t5", j.get("config").get("language").asText());
        assertEquals("t5", j.get("llm").get("family").asText());
        assertTrue(Double.isFinite(j.get("loss").asDouble()), "loss " + j.get("loss"));
    }

    @Test
    void languageIsCheckedBeforeAnythingRuns() {
        CommandLineRun r = run("bench", "--language", "gpt", "--steps", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown --language 'gpt': choose opt or t5"), r.err());
        // generate is OPT-only: refused up front, not after the benchmarks listed before it have run
        r = run("bench", "--only", "stage1-step,generate", "--language", "t5", "--steps", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("generate decodes from a frozen OPT only") && r.err().contains("--language opt"), r.err());
        assertTrue(r.out().isBlank(), "nothing measured: " + r.out());
    }

    @Test
    void bfloat16OnCpuIsRefusedWithAMessageNotACrash() {
        // the guard runs before any array exists: were it missing, this JVM would abort here
        for (String option : List.of("--precision", "--dtype")) {
            CommandLineRun r = run("bench", "--device", "cpu", option, "bf16", "--steps", "1");
            assertEquals(1, r.code());
            assertTrue(r.err().contains("precision bfloat16 is refused on cpu()") && r.err().contains("aborts the JVM"),
                    r.err());
            assertTrue(r.out().isBlank(), "nothing measured: " + r.out());
        }
        CommandLineRun r = run("bench", "--precision", "bf16", "--dtype", "float32", "--steps", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--precision bf16 and --dtype float32 disagree"), r.err());
    }

    /**
     * The stage-1 step in float16 mixed precision, on the CPU with the experts' opt-in: the trainer's
     * path (autocast, loss scaling) runs and reports its precision and a finite loss.
     */
    @Test
    void float16StepRunsTheMixedPrecisionPathWithTheCpuOptIn() throws Exception {
        String before = System.setProperty(org.qformerlab.blip2.nn.Precision.CPU_FLOAT16_PROPERTY, "true");
        CommandLineRun r;
        try {
            List<String> argv = new ArrayList<>(List.of(TINY));
            argv.addAll(List.of("--precision", "fp16"));
            r = run(argv.toArray(String[]::new));
        } finally {
            if (before == null) {
                System.clearProperty(org.qformerlab.blip2.nn.Precision.CPU_FLOAT16_PROPERTY);
            } else {
                System.setProperty(org.qformerlab.blip2.nn.Precision.CPU_FLOAT16_PROPERTY, before);
            }
        }
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out().strip());
        assertEquals("float16", j.get("dtype").asText());
        assertTrue(Double.isFinite(j.get("loss").asDouble()) && j.get("loss").asDouble() > 0, "loss " + j.get("loss"));
    }

    @Test
    void unknownConfigAndBenchmarkAreUsageErrors() {
        CommandLineRun r = run("bench", "bench-huge");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("bench-small, bench-mid, bench-base"), r.err());
        r = run("bench", "--only", "nope", "--steps", "1");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("unknown benchmark 'nope'") && r.err().contains("stage1-step"), r.err());
    }

    @Test
    void badSizesNameTheOption() {
        CommandLineRun r = run("bench", "--batch", "1");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--batch=1"), r.err());
    }
}
