package org.qformerlab.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.config.ObjectiveConfig;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.nn.Autocast;
import org.qformerlab.blip2.nn.LossScaler;
import org.qformerlab.blip2.nn.Precision;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.objectives.Stage1Objective;
import org.qformerlab.blip2.objectives.Stage1Output;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.train.AdamW;
import org.qformerlab.blip2.train.GradientClipping;
import org.qformerlab.blip2.train.Trainer;

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
public class Stage1StepBenchmark implements Benchmark {

    private final boolean perLoss;

    /** BLIP-2's step: one backward pass of the summed losses, one pair of AdamW moments. */
    public Stage1StepBenchmark() {
        this(false);
    }

    /** @param perLoss one backward pass and one pair of AdamW moments per loss (the preset's) */
    protected Stage1StepBenchmark(boolean perLoss) {
        this.perLoss = perLoss;
    }

    @Override
    public String name() {
        return perLoss ? "stage1-step-per-loss" : "stage1-step";
    }

    @Override
    public String summary() {
        return perLoss
                ? "a stage-1 training step with AdamW moments per loss (train.perLossMoments): ITC+ITM+ITG forward,"
                        + " a backward pass, clipping and moments for each loss, one update"
                : "a stage-1 training step: ITC+ITM+ITG forward, backward, clipping, AdamW";
    }

    @Override
    public List<Measurement> run(BenchConfig config, BenchEnvironment env) throws Exception {
        if (perLoss && env.precision() == Precision.FLOAT16) {
            throw new IllegalArgumentException("stage1-step-per-loss in float16: loss scaling skips whole steps, moments"
                    + " per loss are updated loss by loss; use --precision float32, or --only stage1-step for float16");
        }
        LossScaler scaler = LossScaler.forPrecision(env.precision()); // float16 only; the trainer's mixed precision
        QFormerConfig qc = config.qformer();
        Timings steps;
        PhaseClock clock = new PhaseClock();
        double loss;
        try (NDManager root = NDManager.newBaseManager(env.device())) {
            Seeds.set(1234);
            Blip2QFormer model = Blip2QFormer.create(qc, root);
            NDArray images = root.randomNormal(new Shape(config.batch(), config.patches(), qc.visionWidth()));
            RandomTexts texts = RandomTexts.of(root, config.batch(), config.textLength(), qc.clsTokenId(), 5,
                    qc.vocabSize(), qc.padTokenId());
            List<Parameter> trainable = StepLoop.trainable(model.namedParameters());
            Stage1Objective objective = new Stage1Objective(ObjectiveConfig.blip2()).onPhase(clock::mark);
            Map<String, Double> weights = ObjectiveConfig.blip2().weights();
            try (AdamW optimizer = perLoss
                    ? AdamW.perLoss(model.namedParameters(), List.copyOf(weights.keySet()), 0.9, 0.999, 1e-8, 0.05)
                    : new AdamW(model.namedParameters(), 0.9, 0.999, 1e-8, 0.05)) {
                float[] last = {Float.NaN};
                steps = StepLoop.run(config, env, clock, () -> {
                    try (NDManager scope = root.newSubManager()) {
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            Stage1Output out;
                            try (Autocast ignored = Autocast.open(env.precision(), scope)) {
                                out = objective.forward(scope, model, images, texts.ids(), texts.mask(), true);
                            }
                            clock.mark("loss");
                            if (perLoss) {
                                Trainer.perLossUpdate(out.terms(), weights, optimizer, 1e-4,
                                        term -> GradientClipping.clip(trainable, 1.0, scope));
                                clock.mark("backward, clip, adamw per loss");
                            } else {
                                gc.backward(scaler.scale(out.total()));
                            }
                            last[0] = Autocast.full(out.total()).getFloat();
                        }
                        if (!perLoss) {
                            clock.mark("backward");
                            StepLoop.update(trainable, optimizer, scope, clock, scaler);
                        }
                    }
                });
                loss = last[0];
            }
        }
        Stage1Flops flops = new Stage1Flops(qc, config.batch(), config.patches(), config.textLength());
        Measurement m = new Measurement(name(), config)
                .timed(steps, config.batch(), flops.trainingStep(), env)
                .phases(clock)
                .put("loss", Measurement.round(loss))
                .environment(env);
        return List.of(m);
    }
}
