package org.qformerlab.blip2.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.config.ObjectiveConfig;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.testing.TinyStage1;

class TrainerTest {

    @TempDir
    Path dir;

    static TrainConfig config(int steps) {
        return new TrainConfig(steps, 4, 1e-3, 5, 0.1, 0.05, 0.9, 0.999, 1e-8, 1.0, 3, 0, 0, 1000, "cpu");
    }

    static Trainer.Listener quiet() {
        return new Trainer.Listener() {};
    }

    @Test
    void scheduleWarmsUpLinearlyThenDecaysByCosine() {
        LearningRateSchedule s = new LearningRateSchedule(1.0, 4, 14, 0.1);
        assertEquals(0.25, s.at(0), 1e-12);
        assertEquals(1.0, s.at(3), 1e-12);
        assertEquals(1.0, s.at(4), 1e-12); // start of the decay
        assertEquals(0.1 + 0.9 * 0.5, s.at(9), 1e-12); // half way: cos(pi/2) = 0
        assertEquals(0.1, s.at(14), 1e-12);
    }

    /** With one pair of AdamW moments, and with one per loss (whose checkpoint holds all three pairs). */
    @ParameterizedTest(name = "perLossMoments = {0}")
    @ValueSource(booleans = {false, true})
    void resumingHalfWayGivesTheSameWeightsAsOneRun(boolean perLoss) {
        TrainConfig config = config(20).withPerLossMoments(perLoss);
        Map<String, Double> weights = ObjectiveConfig.blip2().weights();
        try (NDManager m = NDManager.newBaseManager()) {
            TinyStage1 task = new TinyStage1(m, 16, 4, 1);
            Blip2QFormer oneGo = task.model(m, 5);
            new Trainer(config, oneGo, dir.resolve("a"), Map.of()).withLossWeights(weights)
                    .run(task.step(oneGo, ObjectiveConfig.blip2()), null, quiet(), false);

            Blip2QFormer firstHalf = task.model(m, 5);
            new Trainer(config.withBookkeeping(0, 10, 1000), firstHalf, dir.resolve("b"), Map.of())
                    .withLossWeights(weights)
                    .run(withStopAfter(task.step(firstHalf, ObjectiveConfig.blip2()), 10), null, quiet(), false);
        } catch (StopHere expected) {
            // the first half ended after writing the step-10 checkpoint
        }
        try (NDManager m = NDManager.newBaseManager()) {
            TinyStage1 task = new TinyStage1(m, 16, 4, 1);
            Blip2QFormer oneGo = task.model(m, 99);
            org.qformerlab.blip2.checkpoint.Weights.load(oneGo, dir.resolve("a/checkpoints/step-000020/model.safetensors"),
                    org.qformerlab.blip2.checkpoint.NameMap.LAVIS, org.qformerlab.blip2.checkpoint.Weights.Policy.strict());
            Blip2QFormer resumed = task.model(m, 42); // different init: everything must come from the checkpoint
            Trainer.Result r = new Trainer(config, resumed, dir.resolve("b"), Map.of()).withLossWeights(weights)
                    .run(task.step(resumed, ObjectiveConfig.blip2()), null, quiet(), true);
            assertTrue(r.resumed());
            double worst = 0;
            for (Map.Entry<String, Parameter> e : oneGo.namedParameters().entrySet()) {
                float[] a = e.getValue().getArray().toFloatArray();
                float[] b = resumed.namedParameters().get(e.getKey()).getArray().toFloatArray();
                for (int i = 0; i < a.length; i++) {
                    worst = Math.max(worst, Math.abs(a[i] - b[i]));
                }
            }
            // Bit-identical: the step's randomness is seeded from (seed, step), the batch is a function
            // of the step, and the checkpoint holds the weights, the moments and the step count.
            assertEquals(0.0, worst, "resumed weights differ from the one-go run by " + worst);
            System.out.println("resume: max |one run - resumed| over all weights = " + worst);
            List<Map<String, Object>> rows = MetricsLog.read(dir.resolve("b/metrics.jsonl"));
            assertEquals(20, rows.size(), "the resumed log continues the first half's");
            var moments = org.qformerlab.blip2.checkpoint.Safetensors.read(m,
                    dir.resolve("b/checkpoints/step-000020/optimizer.safetensors")).keySet();
            String itm = "itm.m.itm_head.weight";
            assertEquals(perLoss, moments.contains(itm), "per-loss moments are checkpointed: " + itm);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static final class StopHere extends RuntimeException {}

    /** Simulates a crash: the run dies when it reaches {@code step}. */
    static Trainer.StepFunction withStopAfter(Trainer.StepFunction f, long step) {
        return (scope, s) -> {
            if (s == step) {
                throw new StopHere();
            }
            return f.losses(scope, s);
        };
    }

    @Test
    void nanLossStopsTheRunAndKeepsTheLastCheckpoint() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyStage1 task = new TinyStage1(m, 16, 4, 1);
            Blip2QFormer model = task.model(m, 5);
            Trainer.StepFunction good = task.step(model, ObjectiveConfig.blip2());
            Trainer.StepFunction poisoned = (scope, step) -> {
                Map<String, NDArray> t = new java.util.LinkedHashMap<>(good.losses(scope, step));
                if (step == 6) {
                    t.put("itg", t.get("itg").mul(Float.NaN));
                    t.put("total", t.get("total").add(t.get("itg")));
                }
                return t;
            };
            var e = assertThrows(TrainingDivergedException.class, () ->
                    new Trainer(config(20).withBookkeeping(0, 4, 1000), model, dir, Map.of()).run(poisoned, null, quiet(), false));
            assertTrue(e.getMessage().contains("step 7") && e.getMessage().contains("'itg' became NaN"), e.getMessage());
            assertTrue(e.getMessage().contains("step-000004"), e.getMessage());
            Path latest = new Checkpoints(dir).latest();
            assertNotNull(latest);
            assertTrue(Files.exists(latest.resolve("model.safetensors")));
            Blip2QFormer fresh = task.model(m, 77);
            Checkpoints.load(latest, fresh, null); // loads cleanly
        }
    }

    /** What goes wrong at the bad step: the loss itself, or a gradient under a finite loss. */
    enum Fault { INFINITE_LOSS, NON_FINITE_GRADIENT }

    /**
     * The step function of {@code task} with one fault at step index 6 (step 7): ITG's loss becomes
     * infinite, or ITM's loss gains {@code sqrt(0 * w)}, which is 0 (the loss stays finite) but whose
     * gradient is {@code inf * 0 = NaN}.
     */
    static Trainer.StepFunction faultyAtStep7(TinyStage1 task, Blip2QFormer model, Fault fault) {
        Trainer.StepFunction good = task.step(model, ObjectiveConfig.blip2());
        NDArray w = model.namedParameters().get("itm_head.weight").getArray();
        return (scope, step) -> {
            Map<String, NDArray> t = new java.util.LinkedHashMap<>(good.losses(scope, step));
            if (step == 6) {
                String term = fault == Fault.INFINITE_LOSS ? "itg" : "itm";
                NDArray bad = fault == Fault.INFINITE_LOSS ? t.get(term).mul(Float.POSITIVE_INFINITY)
                        : t.get(term).add(w.mul(0f).sum().sqrt());
                t.put("total", t.get("total").sub(t.get(term)).add(bad));
                t.put(term, bad);
            }
            return t;
        };
    }

    /**
     * An infinite loss, and a NaN gradient under a finite loss, stop the run at step 7 naming the
     * term, with one pair of moments and with moments per loss; {@code latest} is step 6, and holds
     * the weights the model has after the stop: no update of the bad step reached them.
     */
    @ParameterizedTest(name = "{0}, perLossMoments = {1}")
    @org.junit.jupiter.params.provider.CsvSource({
        "INFINITE_LOSS, false", "INFINITE_LOSS, true", "NON_FINITE_GRADIENT, false", "NON_FINITE_GRADIENT, true"})
    void aNonFiniteLossOrGradientStopsTheRunAtTheLastGoodCheckpoint(Fault fault, boolean perLoss) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyStage1 task = new TinyStage1(m, 16, 4, 1);
            Blip2QFormer model = task.model(m, 5);
            Trainer trainer = new Trainer(config(20).withPerLossMoments(perLoss).withBookkeeping(0, 1, 1000), model, dir,
                    Map.of()).withLossWeights(ObjectiveConfig.blip2().weights());
            var e = assertThrows(TrainingDivergedException.class, () ->
                    trainer.run(faultyAtStep7(task, model, fault), null, quiet(), false));
            System.out.println(fault + ", perLossMoments " + perLoss + ": " + e.getMessage());
            assertEquals(7, e.step());
            assertTrue(e.getMessage().startsWith("training stopped at step 7: "), e.getMessage());
            String expected = fault == Fault.INFINITE_LOSS ? "loss term 'itg' became Infinity"
                    : "the gradient of loss term 'itm' (non-finite in [itm_head.weight]) became NaN";
            assertTrue(e.getMessage().contains(expected), e.getMessage());
            assertTrue(e.getMessage().contains("the last good checkpoint is intact: " + dir.resolve("checkpoints/step-000006")),
                    e.getMessage());

            Path latest = new Checkpoints(dir).latest();
            assertEquals(dir.resolve("checkpoints/step-000006"), latest);
            assertEquals(6, Checkpoints.load(latest, task.model(m, 77), null).get("step").asLong());
            Map<String, NDArray> saved = org.qformerlab.blip2.checkpoint.Safetensors.read(m, latest.resolve("model.safetensors"));
            Map<String, NDArray> now = org.qformerlab.blip2.checkpoint.Weights.tensors(model,
                    org.qformerlab.blip2.checkpoint.NameMap.LAVIS);
            assertEquals(saved.keySet(), now.keySet());
            for (String name : saved.keySet()) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(saved.get(name).toByteArray(), now.get(name).toByteArray(),
                        name + ": the bad step changed a weight");
            }
            List<Map<String, Object>> rows = MetricsLog.read(dir.resolve("metrics.jsonl"));
            assertEquals(6, rows.size(), "six good steps were logged");
        }
    }

    /**
     * A damaged latest checkpoint (an empty state.json) is passed over: the run says so, resumes from
     * the one before it and still ends bit for bit where one uninterrupted run ends.
     */
    @Test
    void resumingPastADamagedLatestCheckpointEndsAsOneRun() throws Exception {
        TrainConfig config = config(12).withBookkeeping(0, 4, 1000);
        List<String> said = new ArrayList<>();
        Trainer.Listener listener = new Trainer.Listener() {
            @Override
            public void onResume(String line) {
                said.add(line);
            }
        };
        try (NDManager m = NDManager.newBaseManager()) {
            TinyStage1 task = new TinyStage1(m, 16, 4, 1);
            Blip2QFormer oneGo = task.model(m, 5);
            new Trainer(config, oneGo, dir.resolve("a"), Map.of()).run(task.step(oneGo, ObjectiveConfig.blip2()), null,
                    quiet(), false);
            Blip2QFormer interrupted = task.model(m, 5);
            assertThrows(StopHere.class, () -> new Trainer(config, interrupted, dir.resolve("b"), Map.of())
                    .run(withStopAfter(task.step(interrupted, ObjectiveConfig.blip2()), 10), null, quiet(), false));
            Files.write(dir.resolve("b/checkpoints/step-000008/state.json"), new byte[0]);

            Blip2QFormer resumed = task.model(m, 42);
            Trainer.Result r = new Trainer(config, resumed, dir.resolve("b"), Map.of())
                    .run(task.step(resumed, ObjectiveConfig.blip2()), null, listener, true);
            assertTrue(r.resumed());
            assertEquals(List.of("checkpoint step-000008 is damaged: " + dir.resolve("b/checkpoints/step-000008/state.json")
                    + " is empty (0 bytes); resuming from " + dir.resolve("b/checkpoints/step-000004")
                    + " (step 4), the previous complete checkpoint"), said);
            assertArrayEquals(Files.readAllBytes(dir.resolve("a/checkpoints/step-000012/model.safetensors")),
                    Files.readAllBytes(dir.resolve("b/checkpoints/step-000012/model.safetensors")));
            assertArrayEquals(Files.readAllBytes(dir.resolve("a/checkpoints/step-000012/optimizer.safetensors")),
                    Files.readAllBytes(dir.resolve("b/checkpoints/step-000012/optimizer.safetensors")));
            assertEquals(12, MetricsLog.read(dir.resolve("b/metrics.jsonl")).size(), "steps 5 to 8 are logged once");
        }
    }

    @Test
    void sameSeedSameLossCurve() throws Exception {
        double[] a = curve(dir.resolve("x"));
        double[] b = curve(dir.resolve("y"));
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], "step " + (i + 1)); // bit-identical, not merely close
        }
    }

    private static double[] curve(Path run) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyStage1 task = new TinyStage1(m, 16, 4, 1);
            Blip2QFormer model = task.model(m, 5);
            new Trainer(config(8), model, run, Map.of()).run(task.step(model, ObjectiveConfig.blip2()), null, quiet(), false);
            return MetricsLog.series(MetricsLog.read(run.resolve("metrics.jsonl")), "step", "total")[1];
        }
    }

    @Test
    void evaluatorRunsOnScheduleAndIsLogged() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyStage1 task = new TinyStage1(m, 16, 4, 1);
            Blip2QFormer model = task.model(m, 5);
            Trainer.Result r = new Trainer(config(6).withBookkeeping(3, 0, 1000), model, dir, Map.of())
                    .run(task.step(model, ObjectiveConfig.blip2()), step -> Map.of("score", (double) step), quiet(), false);
            assertEquals(2, r.evaluations().size());
            assertEquals(3.0, r.evaluations().get(0).get("score"));
            long evalRows = MetricsLog.read(dir.resolve("metrics.jsonl")).stream().filter(x -> x.containsKey("eval")).count();
            assertEquals(2, evalRows);
        }
    }

    /**
     * With per-loss moments the weights name the terms to back-propagate: one that names no term of
     * the step, or a weight of 0, is refused with a message that says which.
     */
    @Test
    void perLossMomentsNeedEveryWeightedTerm() {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyStage1 task = new TinyStage1(m, 16, 4, 1);
            Blip2QFormer model = task.model(m, 5);
            Trainer trainer = new Trainer(config(4).withPerLossMoments(true), model, dir, Map.of())
                    .withLossWeights(Map.of("itc", 1.0, "itm", 1.0, "itg", 1.0, "itx", 1.0));
            var e = assertThrows(IllegalStateException.class, () ->
                    trainer.run(task.step(model, ObjectiveConfig.blip2()), null, quiet(), false));
            assertTrue(e.getMessage().contains("no loss 'itx'") && e.getMessage().contains("[itc, itm, itg, total]"),
                    e.getMessage());
            var bad = assertThrows(IllegalArgumentException.class, () -> trainer.withLossWeights(Map.of("itm", 0.0)));
            assertTrue(bad.getMessage().contains("loss weight of 'itm' is 0.0"), bad.getMessage());
        }
    }

    /** A checkpoint written with moments per loss cannot resume a run that keeps one pair, and says so. */
    @Test
    void resumingWithTheOtherOptimiserModeIsRefusedNamingTheField() {
        Map<String, Double> weights = ObjectiveConfig.blip2().weights();
        try (NDManager m = NDManager.newBaseManager()) {
            TinyStage1 task = new TinyStage1(m, 16, 4, 1);
            Blip2QFormer model = task.model(m, 5);
            new Trainer(config(4).withPerLossMoments(true), model, dir, Map.of()).withLossWeights(weights)
                    .run(task.step(model, ObjectiveConfig.blip2()), null, quiet(), false);
            Blip2QFormer again = task.model(m, 5);
            var e = assertThrows(RuntimeException.class, () ->
                    new Trainer(config(8), again, dir, Map.of()).withLossWeights(weights)
                            .run(task.step(again, ObjectiveConfig.blip2()), null, quiet(), true));
            assertTrue(e.getMessage().contains("train.perLossMoments")
                    && e.getMessage().contains("resume with the run's own config.json"), e.getMessage());
        }
    }

    /**
     * The logged step size, by hand: every trainable weight enters the loss L = sum of all weights,
     * so each gets gradient 1; AdamW's first step (no decay) moves each by lr * g / sqrt(g^2) = lr,
     * so update_rms = lr. With moments per loss and two terms that are both L, each term takes its
     * own normalised step of lr: update_rms = 2 lr. Only log steps carry it.
     */
    @ParameterizedTest(name = "perLossMoments = {0}")
    @ValueSource(booleans = {false, true})
    void theLoggedUpdateSizeIsTheLearningRateTimesTheNormalisedStepsPerWeight(boolean perLoss) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyStage1 task = new TinyStage1(m, 16, 4, 1);
            Blip2QFormer model = task.model(m, 5);
            List<Parameter> trainable = model.namedParameters().values().stream()
                    .filter(Parameter::requiresGradient).toList();
            Trainer.StepFunction sumOfWeights = (scope, step) -> {
                NDArray l = null;
                for (Parameter p : trainable) {
                    NDArray s = p.getArray().sum();
                    l = l == null ? s : l.add(s);
                }
                return Map.of("a", l, "b", l, "total", l.mul(2));
            };
            TrainConfig c = config(4).withWeightDecay(0).withWarmupSteps(0).withGradClipNorm(1e9)
                    .withPerLossMoments(perLoss).withBookkeeping(0, 0, 2);
            new Trainer(c, model, dir, Map.of()).withLossWeights(Map.of("a", 1.0, "b", 1.0))
                    .run(sumOfWeights, null, quiet(), false);
            List<Map<String, Object>> rows = MetricsLog.read(dir.resolve("metrics.jsonl"));
            assertEquals(4, rows.size());
            assertTrue(!rows.get(0).containsKey(Trainer.UPDATE_RMS) && !rows.get(2).containsKey(Trainer.UPDATE_RMS),
                    "only every logEvery-th step is measured: " + rows);
            // step 2 is AdamW's second step with the same gradient: m-hat = g, v-hat = g^2 again
            double lr = ((Number) rows.get(1).get(Trainer.LEARNING_RATE)).doubleValue();
            double rms = ((Number) rows.get(1).get(Trainer.UPDATE_RMS)).doubleValue();
            assertEquals(perLoss ? 2.0 : 1.0, rms / lr, 1e-3, "update_rms / lr at step 2");
        }
    }
}
