package org.qformerlab.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.qformerlab.blip2.bridge.Bridge;
import org.qformerlab.blip2.bridge.Stage2Model;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.llm.LanguageFamily;
import org.qformerlab.blip2.llm.OptConfig;
import org.qformerlab.blip2.llm.T5Config;
import org.qformerlab.blip2.nn.LossScaler;
import org.qformerlab.blip2.nn.Precision;
import org.qformerlab.blip2.nn.Scopes;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.train.AdamW;

/**
 * One stage-2 training step of BLIP-2 OPT or BLIP-2 T5 ({@link Stage2Model}), as a trainer runs it:
 * the Q-Former bridge turns frozen image features into Q projected queries; the frozen OPT reads
 * {@code [projected queries ; prompt ; text]} and scores the text after the prompt, or (with
 * {@code --language t5}) the frozen T5's encoder reads {@code [projected queries ; prompt]} and its
 * decoder scores the text after the prompt (LM loss); backward carries the gradient through the
 * frozen LM to the projection and the Q-Former, then global gradient-norm clipping and AdamW over
 * the bridge's trainable parameters only.
 *
 * <p>The LM is derived from the sizes ({@link BenchConfig#opt}, {@link BenchConfig#t5}); its
 * parameters never require gradients, so the optimizer holds no moments for them. Phases
 * ({@code phases_ms}, medians): {@code qformer} (bridge forward), {@code llm_forward} (LM forward and
 * loss), {@code backward}, {@code clip}, {@code adamw}. The FLOPs count the frozen LM's backward as
 * gradients to its inputs only ({@link Stage2Flops}).
 */
public final class Stage2StepBenchmark implements Benchmark {

    @Override
    public String name() {
        return "stage2-step";
    }

    @Override
    public String summary() {
        return "a stage-2 training step: Q-Former -> frozen OPT (or --language t5) LM loss, backward to the bridge,"
                + " clipping, AdamW";
    }

    /** Text tokens that form the prompt (BOS and a few words, not predicted): a quarter of the text. */
    static int promptLength(BenchConfig config) {
        return Math.max(1, config.textLength() / 4);
    }

    @Override
    public List<Measurement> run(BenchConfig config, BenchEnvironment env) throws Exception {
        if (env.precision() != Precision.FLOAT32) {
            throw new IllegalArgumentException("the stage-2 step computes in float32 only so far; "
                    + env.precision().label() + " compute is not implemented: use --dtype float32");
        }
        QFormerConfig qc = config.qformer();
        boolean t5 = config.language() == LanguageFamily.T5;
        OptConfig opt = t5 ? null : config.opt(qc.numQueries() + config.textLength());
        T5Config t5Config = t5 ? config.t5() : null;
        int prompt = promptLength(config);
        PhaseClock clock = new PhaseClock();
        Timings steps;
        double loss;
        long trainableCount;
        try (NDManager root = NDManager.newBaseManager(env.device())) {
            Seeds.set(1234);
            Stage2Model model = t5 ? Stage2Model.create(qc, t5Config, root) : Stage2Model.create(qc, opt, root);
            NDArray images = root.randomNormal(new Shape(config.batch(), config.patches(), qc.visionWidth()));
            // OPT's texts start with BOS; T5's start marker (its EOS here) is dropped when the encoder reads the prompt
            RandomTexts texts = RandomTexts.of(root, config.batch(), config.textLength(),
                    t5 ? t5Config.eosTokenId() : opt.bosTokenId(), 4, config.vocab(),
                    t5 ? t5Config.padTokenId() : opt.padTokenId());
            List<Parameter> trainable = StepLoop.trainable(model.namedParameters());
            trainableCount = trainable.stream().mapToLong(p -> p.getArray().size()).sum();
            try (AdamW optimizer = new AdamW(model.namedParameters(), 0.9, 0.999, 1e-8, 0.05)) {
                float[] last = {Float.NaN};
                steps = StepLoop.run(config, env, clock, () -> {
                    try (NDManager scope = root.newSubManager()) {
                        Scopes.enter(scope, images, texts.ids(), texts.mask()); // the step's arrays die with the scope
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            Bridge.VisualPrompt queries = model.bridge().forward(scope, images, true);
                            clock.mark("qformer");
                            Stage2Model.Output out = model.languageModelling(
                                    scope, queries, texts.ids(), texts.mask(), prompt, true);
                            last[0] = out.loss().getFloat();
                            clock.mark("llm_forward");
                            gc.backward(out.loss());
                        }
                        clock.mark("backward");
                        StepLoop.update(trainable, optimizer, scope, clock, LossScaler.off());
                    }
                });
                loss = last[0];
            }
        }
        double flops = t5
                ? Stage2Flops.trainingStep(qc, t5Config, config.batch(), config.patches(), config.textLength(), prompt)
                : Stage2Flops.trainingStep(qc, opt, config.batch(), config.patches(), config.textLength());
        Measurement m = new Measurement(name(), config)
                .timed(steps, config.batch(), flops, env)
                .phases(clock)
                .put("loss", Measurement.round(loss))
                .put("llm", t5 ? describe(t5Config) : describe(opt))
                .put("prompt_len", prompt)
                .put("trainable_params", trainableCount)
                .environment(env);
        return List.of(m);
    }

    /** The frozen OPT's sizes, as printed. */
    static java.util.Map<String, Object> describe(OptConfig opt) {
        java.util.Map<String, Object> d = new java.util.LinkedHashMap<>();
        d.put("family", "opt");
        d.put("hidden", opt.hiddenSize());
        d.put("layers", opt.numLayers());
        d.put("heads", opt.numHeads());
        d.put("ffn", opt.ffnDim());
        d.put("vocab", opt.vocabSize());
        return d;
    }

    /** The frozen T5's sizes, as printed. */
    static java.util.Map<String, Object> describe(T5Config t5) {
        java.util.Map<String, Object> d = new java.util.LinkedHashMap<>();
        d.put("family", "t5");
        d.put("hidden", t5.dModel());
        d.put("encoder_layers", t5.numLayers());
        d.put("decoder_layers", t5.numDecoderLayers());
        d.put("heads", t5.numHeads());
        d.put("ffn", t5.dFf());
        d.put("vocab", t5.vocabSize());
        return d;
    }
}
