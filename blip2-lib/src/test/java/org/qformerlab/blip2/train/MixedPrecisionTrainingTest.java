package org.qformerlab.blip2.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.config.ObjectiveConfig;
import org.qformerlab.blip2.nn.LossScaler;
import org.qformerlab.blip2.nn.Precision;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.testing.TinyStage1;

/**
 * Training in mixed precision through the trainer, on a CPU: float16 with the explicit opt-in
 * ({@link Precision#CPU_FLOAT16_PROPERTY}), the only reduced format a CPU can create.
 */
class MixedPrecisionTrainingTest {

    @TempDir
    Path dir;

    private String before;

    @BeforeEach
    void allowCpuFloat16() {
        before = System.setProperty(Precision.CPU_FLOAT16_PROPERTY, "true");
    }

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(Precision.CPU_FLOAT16_PROPERTY);
        } else {
            System.setProperty(Precision.CPU_FLOAT16_PROPERTY, before);
        }
    }

    static TrainConfig config(int steps, String precision) {
        return TrainerTest.config(steps).withPrecision(precision);
    }

    /** A scale at which the tiny model's float16 gradients do not overflow (2^16 does: see below). */
    static LossScaler fitting() {
        return LossScaler.dynamic(1024, 2000);
    }

    /**
     * The same 8 steps from the same weights in float32 and in float16 (loss scale 2^10): every
     * logged loss agrees within 1% (the float16 matmuls round to 11 bits; the losses are float32),
     * yet they are not identical, so the float16 forward did run; the weights end float32 and
     * within 1e-2 of the float32 run's; the float16 log carries the loss scale and no skipped step.
     */
    @Test
    void float16TrainsLikeFloat32AndKeepsFloat32MasterWeights() throws Exception {
        Map<String, float[]> weights32;
        double[][] losses = new double[2][];
        Map<String, float[]> weights16;
        Map<String, float[]> initial;
        try (NDManager m = NDManager.newBaseManager()) {
            TinyStage1 task = new TinyStage1(m, 16, 4, 1);
            Blip2QFormer model32 = task.model(m, 5);
            initial = values(model32);
            long t0 = System.nanoTime();
            new Trainer(config(8, "float32"), model32, dir.resolve("fp32"), Map.of())
                    .run(task.step(model32, ObjectiveConfig.blip2()), null, TrainerTest.quiet(), false);
            double seconds32 = (System.nanoTime() - t0) / 1e9;
            Blip2QFormer model16 = task.model(m, 5);
            t0 = System.nanoTime();
            new Trainer(config(8, "float16"), model16, dir.resolve("fp16"), Map.of()).withLossScaler(fitting())
                    .run(task.step(model16, ObjectiveConfig.blip2()), null, TrainerTest.quiet(), false);
            double seconds16 = (System.nanoTime() - t0) / 1e9;
            System.out.printf("8 steps of the tiny stage 1 on the CPU: float32 %.2f s, float16 %.2f s%n", seconds32, seconds16);
            weights32 = values(model32);
            weights16 = values(model16);
            for (Map.Entry<String, Parameter> e : model16.namedParameters().entrySet()) {
                assertEquals(DataType.FLOAT32, e.getValue().getArray().getDataType(), e.getKey() + " stays float32");
            }
        }
        List<Map<String, Object>> rows32 = MetricsLog.read(dir.resolve("fp32/metrics.jsonl"));
        List<Map<String, Object>> rows16 = MetricsLog.read(dir.resolve("fp16/metrics.jsonl"));
        double worstRelative = 0;
        for (String term : List.of("itc", "itm", "itg", "total")) {
            losses[0] = MetricsLog.series(rows32, "step", term)[1];
            losses[1] = MetricsLog.series(rows16, "step", term)[1];
            assertEquals(8, losses[1].length);
            for (int i = 0; i < 8; i++) {
                double relative = Math.abs(losses[1][i] - losses[0][i]) / Math.abs(losses[0][i]);
                worstRelative = Math.max(worstRelative, relative);
                assertTrue(relative < 0.01, term + " at step " + (i + 1) + ": float16 " + losses[1][i] + ", float32 "
                        + losses[0][i]);
            }
        }
        System.out.println("float16 vs float32 over 8 steps: worst relative loss difference " + worstRelative);
        assertTrue(worstRelative > 0, "float16 losses identical to float32 ones: the autocast did not run");
        double dot = 0;
        double norm32 = 0;
        double norm16 = 0;
        for (String name : weights32.keySet()) {
            float[] a = weights32.get(name);
            float[] b = weights16.get(name);
            float[] w0 = initial.get(name);
            for (int i = 0; i < a.length; i++) {
                double u32 = a[i] - w0[i];
                double u16 = b[i] - w0[i];
                dot += u32 * u16;
                norm32 += u32 * u32;
                norm16 += u16 * u16;
            }
        }
        double cosine = dot / Math.sqrt(norm32 * norm16);
        System.out.printf("float16 vs float32 after 8 steps: cosine of the weight updates %.4f, norms %.4f and %.4f%n",
                cosine, Math.sqrt(norm16), Math.sqrt(norm32));
        assertTrue(cosine > 0.95, "float16 training moved the weights elsewhere: cosine " + cosine);
        assertEquals(1, Math.sqrt(norm16 / norm32), 0.05, "and as far");
        for (Map<String, Object> row : rows16) {
            assertEquals(1024.0, ((Number) row.get(Trainer.LOSS_SCALE)).doubleValue());
            assertEquals(false, row.get(Trainer.SKIPPED));
        }
        assertFalse(rows32.get(0).containsKey(Trainer.LOSS_SCALE), "a float32 log row is as it was");
        JsonNode state = Configs.JSON.readTree(dir.resolve("fp16/checkpoints/step-000008/state.json").toFile());
        assertEquals("float16", state.get("train").get("precision").asText());
        assertEquals(1024.0, state.get("lossScale").get("scale").asDouble());
        JsonNode state32 = Configs.JSON.readTree(dir.resolve("fp32/checkpoints/step-000008/state.json").toFile());
        assertFalse(state32.get("train").has("precision"), "a float32 checkpoint is written as before: " + state32);
        assertFalse(state32.has("lossScale"));
        try (NDManager m = NDManager.newBaseManager()) {
            for (Map.Entry<String, NDArray> e : org.qformerlab.blip2.checkpoint.Safetensors.read(m,
                    dir.resolve("fp16/checkpoints/step-000008/optimizer.safetensors")).entrySet()) {
                assertEquals(DataType.FLOAT32, e.getValue().getDataType(), "AdamW moment " + e.getKey());
            }
        }
    }

    /**
     * An infinite gradient under a finite loss at step 4 (ITM gains {@code sqrt(w - w)} summed, 0 in
     * value, +inf in gradient): the float16 run does not stop; it skips that step, leaving every
     * weight as it was, halves the scale and goes on.
     */
    @Test
    void anInfiniteGradientSkipsTheStepAndHalvesTheScale() throws Exception {
        Map<String, float[]> beforeBadStep = new LinkedHashMap<>();
        Map<String, float[]> afterBadStep;
        try (NDManager m = NDManager.newBaseManager()) {
            TinyStage1 task = new TinyStage1(m, 16, 4, 1);
            Blip2QFormer model = task.model(m, 5);
            Trainer.StepFunction good = task.step(model, ObjectiveConfig.blip2());
            NDArray w = model.namedParameters().get("itm_head.weight").getArray();
            Trainer.StepFunction faulty = (scope, step) -> {
                Map<String, NDArray> t = new LinkedHashMap<>(good.losses(scope, step));
                if (step == 3) {
                    beforeBadStep.putAll(values(model));
                    NDArray zero = w.sub(w.stopGradient()).sqrt().sum(); // 0, with an infinite gradient
                    t.put("itm", t.get("itm").add(zero));
                    t.put("total", t.get("total").add(zero));
                }
                return t;
            };
            // 4 steps: the bad one is the last, so the weights after the run are those it left
            new Trainer(config(4, "float16"), model, dir, Map.of()).withLossScaler(fitting())
                    .run(faulty, null, TrainerTest.quiet(), false);
            afterBadStep = values(model);
        }
        for (String name : beforeBadStep.keySet()) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(beforeBadStep.get(name), afterBadStep.get(name),
                    name + " changed in the skipped step");
        }
        List<Map<String, Object>> rows = MetricsLog.read(dir.resolve("metrics.jsonl"));
        assertEquals(4, rows.size(), "the run went on through the bad step");
        assertEquals(List.of(false, false, false, true), rows.stream().map(r -> r.get(Trainer.SKIPPED)).toList());
        assertTrue(Double.isInfinite(((Number) rows.get(3).get(Trainer.GRAD_NORM)).doubleValue()), rows.get(3).toString());
        JsonNode scale = Configs.JSON.readTree(dir.resolve("checkpoints/step-000004/state.json").toFile()).get("lossScale");
        assertEquals(512.0, scale.get("scale").asDouble(), "halved");
        assertEquals(1, scale.get("skippedSteps").asLong());
        assertEquals(0, scale.get("cleanSteps").asInt());
    }

    /**
     * PyTorch's start, 2^16, overflows the tiny model's float16 gradients: the first steps are
     * skipped, each halving the scale, until it fits; the scale grows again after its growth
     * interval (here 2 clean steps), overflows, and falls back: the largest scale that fits.
     */
    @Test
    void theDefaultScaleFallsUntilTheGradientsFitThenGrowsAfterCleanSteps() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyStage1 task = new TinyStage1(m, 16, 4, 1);
            Blip2QFormer model = task.model(m, 5);
            new Trainer(config(8, "float16"), model, dir, Map.of()).withLossScaler(LossScaler.dynamic(65536, 2))
                    .run(task.step(model, ObjectiveConfig.blip2()), null, TrainerTest.quiet(), false);
        }
        List<Map<String, Object>> rows = MetricsLog.read(dir.resolve("metrics.jsonl"));
        List<Object> skipped = rows.stream().map(r -> r.get(Trainer.SKIPPED)).toList();
        List<Double> scales = rows.stream().map(r -> ((Number) r.get(Trainer.LOSS_SCALE)).doubleValue()).toList();
        System.out.println("float16 from 2^16: skipped " + skipped + ", scales " + scales);
        assertEquals(List.of(true, true), skipped.subList(0, 2), "2^16 and 2^15 overflow at the start: " + skipped);
        // the rule, replayed from the skips: halve on a skip, double after 2 clean steps in a row
        double scale = 65536;
        int clean = 0;
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(scale, scales.get(i), "step " + (i + 1) + " of " + scales);
            if ((Boolean) skipped.get(i)) {
                scale /= 2;
                clean = 0;
            } else if (++clean == 2) {
                scale *= 2;
                clean = 0;
            }
        }
        for (int i = 0; i < rows.size(); i++) { // here 2^14 fits and 2^15 does not
            assertEquals(scales.get(i) > 16384, skipped.get(i), "step " + (i + 1) + " at scale " + scales.get(i));
        }
        assertTrue(scales.contains(32768.0) && scales.lastIndexOf(32768.0) > 2, "the scale grew back: " + scales);
    }

    /** A float16 run resumed half way continues with the checkpoint's loss scale and ends as one run. */
    @Test
    void aResumedFloat16RunEndsAsOneRun() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyStage1 task = new TinyStage1(m, 16, 4, 1);
            Blip2QFormer oneGo = task.model(m, 5);
            new Trainer(config(6, "float16"), oneGo, dir.resolve("a"), Map.of()).withLossScaler(LossScaler.dynamic(1024, 2))
                    .run(task.step(oneGo, ObjectiveConfig.blip2()), null, TrainerTest.quiet(), false);
            Blip2QFormer firstHalf = task.model(m, 5);
            assertThrows(TrainerTest.StopHere.class, () -> new Trainer(config(6, "float16").withBookkeeping(0, 3, 1000),
                    firstHalf, dir.resolve("b"), Map.of()).withLossScaler(LossScaler.dynamic(1024, 2))
                    .run(TrainerTest.withStopAfter(task.step(firstHalf, ObjectiveConfig.blip2()), 3), null,
                            TrainerTest.quiet(), false));
            Blip2QFormer resumed = task.model(m, 42);
            // the resumed run starts its scaler at 1024 again, but the checkpoint's 2048 (one clean step
            // into the second doubling) must win for the run to end where one run ends
            assertTrue(new Trainer(config(6, "float16"), resumed, dir.resolve("b"), Map.of())
                    .withLossScaler(LossScaler.dynamic(1024, 2))
                    .run(task.step(resumed, ObjectiveConfig.blip2()), null, TrainerTest.quiet(), true).resumed());
            Map<String, float[]> a = values(oneGo);
            Map<String, float[]> b = values(resumed);
            for (String name : a.keySet()) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(a.get(name), b.get(name), name);
            }
        }
    }

    /** The error of a 2-step tiny stage-1 run in {@code precision} on the CPU. */
    private IllegalArgumentException refusal(String precision) {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyStage1 task = new TinyStage1(m, 16, 4, 1);
            Blip2QFormer model = task.model(m, 5);
            return assertThrows(IllegalArgumentException.class, () -> new Trainer(config(2, precision), model, dir, Map.of())
                    .run(task.step(model, ObjectiveConfig.blip2()), null, TrainerTest.quiet(), false));
        }
    }

    @Test
    void bfloat16IsRefusedOnTheCpuBeforeAnythingIsCastWithOneLine() {
        var e = refusal("bf16");
        assertTrue(e.getMessage().startsWith("precision bfloat16 is refused on cpu(): DJL's PyTorch JNI"), e.getMessage());
        assertTrue(e.getMessage().contains("aborts the JVM") && e.getMessage().contains("--precision float16"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
        // still alive: the JVM was not aborted, since nothing was cast
    }

    @Test
    void float16OnTheCpuIsRefusedWithoutTheOptIn() {
        System.clearProperty(Precision.CPU_FLOAT16_PROPERTY);
        var e = refusal("float16");
        assertTrue(e.getMessage().startsWith("precision float16 is refused on cpu(): float16 is for GPUs"), e.getMessage());
    }

    /** The field is plain data: parsed and named on load, float32 when absent, left out when float32. */
    @Test
    void theConfigFieldIsValidatedOnLoadAndAbsentForFloat32() throws Exception {
        TrainConfig defaults = TrainConfig.stage1Default();
        assertEquals("float32", defaults.precision());
        assertFalse(Configs.toJson(defaults).contains("precision"), "float32 configs are written as before");
        assertEquals(defaults, Configs.parse(Configs.toJson(defaults), TrainConfig.class, defaults, "old config"));
        TrainConfig half = Configs.parse("precision: fp16", TrainConfig.class, defaults, "train.yaml");
        assertEquals("float16", half.precision(), "spelled as Precision names it");
        assertEquals(Precision.FLOAT16, half.computePrecision());
        assertTrue(Configs.toJson(half).contains("\"precision\" : \"float16\""), Configs.toJson(half));
        assertEquals(half, Configs.parse(Configs.toJson(half), TrainConfig.class, defaults, "round trip"));
        var bad = assertThrows(ConfigException.class, () -> defaults.withPrecision("float8"));
        assertEquals("TrainConfig.precision: unknown precision 'float8': use float32, float16 or bfloat16", bad.getMessage());
        var clash = assertThrows(ConfigException.class, () -> half.withPerLossMoments(true));
        assertTrue(clash.getMessage().contains("perLossMoments=false") && clash.getMessage().contains("bfloat16"),
                clash.getMessage());
        assertTrue(defaults.withPrecision("bf16").withPerLossMoments(true).perLossMoments(), "bfloat16 has no loss scaling");
    }

    private static Map<String, float[]> values(Blip2QFormer model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> out.put(name, p.getArray().toFloatArray()));
        return out;
    }
}
