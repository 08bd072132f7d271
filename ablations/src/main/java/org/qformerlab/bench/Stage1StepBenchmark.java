package org.qformerlab.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.config.ObjectiveConfig;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.nn.Precision;
import org.qformerlab.blip2.objectives.Stage1Objective;
import org.qformerlab.blip2.objectives.Stage1Output;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.train.AdamW;
import org.qformerlab.blip2.train.GradientClipping;

/**
 * One full stage-1 training step, as the trainer runs it: the forward pass of ITC + ITM + ITG
 * ({@link Stage1Objective}, hard negatives sampled), backward, global gradient-norm clipping and
 * the AdamW update, all in one step scope. Inputs are random frozen-encoder features and texts of
 * the configured sizes (a quarter of the texts padded), fixed across steps.
 *
 * <p>Besides the step time it reports where the time goes ({@code phases_ms}, medians): the
 * forward parts (image keys/values, ITC, ITM, ITG), backward, clipping and the optimizer. Phase
 * times are exact on a CPU, where every operation finishes before the next call; on a GPU they
 * show only when work was queued (the step time stays right: each step reads its loss and the
 * gradient norm, which waits for the device).
 */
public final class Stage1StepBenchmark implements Benchmark {

    @Override
    public String name() {
        return "stage1-step";
    }

    @Override
    public String summary() {
        return "a stage-1 training step: ITC+ITM+ITG forward, backward, clipping, AdamW";
    }

    @Override
    public List<Measurement> run(BenchConfig config, BenchEnvironment env) {
        if (env.precision() != Precision.FLOAT32) {
            throw new IllegalArgumentException("the stage-1 step computes in float32 only so far; "
                    + env.precision().label() + " compute (float32 master weights) is not implemented: use --dtype float32");
        }
        QFormerConfig qc = config.qformer();
        Map<String, Timings> phases = new LinkedHashMap<>();
        Timings steps = new Timings();
        double loss;
        try (NDManager root = NDManager.newBaseManager(env.device())) {
            Engine.getInstance().setRandomSeed(1234);
            Blip2QFormer model = Blip2QFormer.create(qc, root);
            Inputs in = Inputs.random(root, qc, config);
            List<Parameter> trainable = model.namedParameters().values().stream()
                    .filter(Parameter::requiresGradient).toList();
            PhaseClock clock = new PhaseClock(phases);
            Stage1Objective objective = new Stage1Objective(ObjectiveConfig.blip2()).onPhase(clock::mark);
            try (AdamW optimizer = new AdamW(model.namedParameters(), 0.9, 0.999, 1e-8, 0.05)) {
                float last = Float.NaN;
                for (int s = 0; s < config.warmup() + config.steps(); s++) {
                    boolean timed = s >= config.warmup();
                    boolean traced = env.trace() != null && s == config.warmup() + config.steps() - 1
                            && "PyTorch".equals(Engine.getInstance().getEngineName());
                    if (traced) {
                        JniUtils.startProfile(false, true, false);
                    }
                    clock.recording(timed);
                    long t0 = System.nanoTime();
                    clock.start();
                    try (NDManager scope = root.newSubManager()) {
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            Stage1Output out = objective.forward(scope, model, in.images, in.ids, in.mask, true);
                            clock.mark("loss");
                            gc.backward(out.total());
                            last = out.total().getFloat();
                        }
                        clock.mark("backward");
                        GradientClipping.clip(trainable, 1.0, scope);
                        clock.mark("clip");
                        optimizer.step(1e-4);
                        clock.mark("adamw");
                    }
                    if (timed) {
                        steps.add(System.nanoTime() - t0);
                    }
                    if (traced) {
                        JniUtils.stopProfile(env.trace().toAbsolutePath().toString());
                    }
                }
                loss = last;
            }
        }
        Stage1Flops flops = new Stage1Flops(qc, config.batch(), config.patches(), config.textLength());
        Map<String, Object> phaseMs = new LinkedHashMap<>();
        phases.forEach((k, t) -> phaseMs.put(k, Measurement.round(t.medianMs())));
        Measurement m = new Measurement(name(), config)
                .timed(steps, config.batch(), flops.trainingStep(), env)
                .put("phases_ms", phaseMs)
                .put("loss", Measurement.round(loss))
                .environment(env);
        return List.of(m);
    }

    /** Wall time between consecutive marks, per phase name. */
    private static final class PhaseClock {
        private final Map<String, Timings> phases;
        private boolean recording;
        private long last;

        PhaseClock(Map<String, Timings> phases) {
            this.phases = phases;
        }

        void recording(boolean on) {
            recording = on;
        }

        void start() {
            last = System.nanoTime();
        }

        void mark(String phase) {
            long now = System.nanoTime();
            if (recording) {
                phases.computeIfAbsent(phase, k -> new Timings()).add(now - last);
            }
            last = now;
        }
    }

    /** Random frozen-encoder features [B, P, Dv], texts [B, T] starting with [CLS], every 4th text half padded. */
    private record Inputs(NDArray images, NDArray ids, NDArray mask) {
        static Inputs random(NDManager m, QFormerConfig qc, BenchConfig c) {
            int b = c.batch();
            int t = c.textLength();
            NDArray images = m.randomNormal(new Shape(b, c.patches(), qc.visionWidth()));
            long[] ids = new long[b * t];
            long[] mask = new long[b * t];
            java.util.SplittableRandom r = new java.util.SplittableRandom(7);
            int firstWord = Math.min(5, qc.vocabSize() - 1);
            for (int i = 0; i < b; i++) {
                int length = i % 4 == 3 ? Math.max(2, t / 2) : t;
                for (int j = 0; j < t; j++) {
                    boolean real = j < length;
                    ids[i * t + j] = j == 0 ? qc.clsTokenId() : real ? r.nextInt(firstWord, qc.vocabSize()) : qc.padTokenId();
                    mask[i * t + j] = real ? 1 : 0;
                }
            }
            return new Inputs(images, m.create(ids, new Shape(b, t)), m.create(mask, new Shape(b, t)));
        }
    }
}
