package org.qformerlab.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.train.AdamW;
import org.qformerlab.blip2.train.GradientClipping;
import org.qformerlab.blip2.nn.LossScaler;

/**
 * The timing discipline every step benchmark shares: {@code warmup} untimed steps (the engine
 * allocates, tunes and fills caches), then {@code steps} timed ones, each timed from start to end
 * with its phases on a {@link PhaseClock}; with {@code --trace} the last timed step is recorded by
 * the PyTorch profiler, and the trace's top operators per phase ({@link OperatorProfile}) are kept
 * on the clock. A step must finish its work before it returns (read a loss or a norm).
 */
final class StepLoop {

    private StepLoop() {}

    /** One step: everything it allocates belongs to a scope it closes itself. */
    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    /** Runs warm-up and timed steps; returns the timed steps' durations. */
    static Timings run(BenchConfig config, BenchEnvironment env, PhaseClock clock, Step step) throws Exception {
        Timings timings = new Timings();
        for (int s = 0; s < config.warmup() + config.steps(); s++) {
            boolean timed = s >= config.warmup();
            boolean traced = env.trace() != null && s == config.warmup() + config.steps() - 1
                    && "PyTorch".equals(Engine.getInstance().getEngineName());
            long origin = 0;
            if (traced) {
                JniUtils.startProfile(false, true, false);
                origin = System.nanoTime(); // the trace's time 0, give or take the call's return
            }
            clock.recording(timed);
            long t0 = System.nanoTime();
            clock.start();
            step.run();
            if (timed) {
                timings.add(System.nanoTime() - t0);
            }
            if (traced) {
                JniUtils.stopProfile(env.trace().toAbsolutePath().toString());
                clock.operators(topOperators(env.trace(), clock.lastStep(), origin));
            }
        }
        return timings;
    }

    /**
     * The trace's top operators per phase, or (no phases marked) null; a trace that cannot be read
     * gives an {@code error} entry rather than losing the run's measurements.
     */
    private static Map<String, Object> topOperators(Path trace, List<PhaseClock.Window> windows, long origin) {
        if (windows.isEmpty()) {
            return null;
        }
        try {
            return OperatorProfile.of(trace, windows, origin);
        } catch (IOException | RuntimeException e) {
            return Map.of("error", "cannot read the profiler trace " + trace + ": " + e.getMessage());
        }
    }

    /** The parameters a step updates: those that require gradients (frozen ones never do). */
    static List<Parameter> trainable(Map<String, Parameter> parameters) {
        return parameters.values().stream().filter(Parameter::requiresGradient).toList();
    }

    /**
     * How every timed training step ends, as the trainer ends it, each phase on the clock: unscale the
     * gradients (float16; {@link LossScaler#off()} otherwise), clip the norm to 1, then AdamW, or,
     * where a gradient is not finite, no update (and, float16, a halved scale). The trainer stops a
     * float32 run there instead; a benchmark goes on timing.
     */
    static void update(List<Parameter> trainable, AdamW optimizer, NDManager scope, PhaseClock clock, LossScaler scaler) {
        scaler.unscale(trainable);
        double norm = GradientClipping.clip(trainable, 1.0, scope);
        clock.mark("clip");
        if (scaler.update(Double.isFinite(norm))) {
            optimizer.step(1e-4);
        } else {
            optimizer.zeroGradients();
        }
        clock.mark("adamw");
    }
}
