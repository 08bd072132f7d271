package org.qformerlab.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import org.qformerlab.blip2.bridge.Stage2Model;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.llm.Generation;
import org.qformerlab.blip2.llm.GenerationConfig;
import org.qformerlab.blip2.llm.OptConfig;
import org.qformerlab.blip2.nn.GradMode;
import org.qformerlab.blip2.nn.Precision;
import org.qformerlab.blip2.nn.Seeds;

/**
 * Captioning speed of BLIP-2 OPT: the frozen OPT ({@link BenchConfig#opt}) decodes {@code textLength}
 * new tokens per image after a prefix of [Q projected queries ; BOS] ({@link Stage2Model#generateFrom}),
 * three ways:
 *
 * <ul>
 *   <li>greedy with the KV cache: the prefix runs once, then one position per token (the standard
 *       fields: ms per call, captions/s, FLOPs, GFLOP/s);
 *   <li>greedy without the cache: the whole sequence is recomputed for every token, quadratic in
 *       the length; {@code cache_speedup} is the ratio of the two tokens/s;
 *   <li>beam search with 3 beams and the cache: three sequences per image are decoded, and
 *       tokens/s counts the tokens of the one caption returned per image.
 * </ul>
 *
 * EOS is switched off so that every caption has the same length and tokens/s compare. The soft
 * prompt is computed once beforehand: only decoding is timed. Cached and uncached greedy decoding
 * must pick the same tokens; {@code same_tokens} reports whether they did (a mismatch is a bug in
 * the cache, or a near-tie that float rounding broke differently).
 */
public final class GenerateBenchmark implements Benchmark {

    static final int BEAMS = 3;

    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String summary() {
        return "caption decoding from a frozen OPT after the query prefix: greedy with/without KV cache, beam 3";
    }

    @Override
    public void check(BenchConfig config) {
        if (config.language() != org.qformerlab.blip2.llm.LanguageFamily.OPT) {
            throw new IllegalArgumentException("generate decodes from a frozen OPT only so far, not "
                    + config.language() + ": run it with --language opt, or leave it out (--only stage2-step)");
        }
    }

    @Override
    public List<Measurement> run(BenchConfig config, BenchEnvironment env) throws Exception {
        check(config);
        if (env.precision() != Precision.FLOAT32) {
            throw new IllegalArgumentException("generation is benchmarked in float32 only so far: use --dtype float32");
        }
        QFormerConfig qc = config.qformer();
        int newTokens = config.textLength();
        int prefix = qc.numQueries() + 1;
        OptConfig opt = config.opt(prefix + newTokens);
        GenerationConfig greedy = GenerationConfig.greedy(newTokens, -1, opt.padTokenId());
        Run cached;
        Run uncached;
        Run beam;
        try (NDManager root = NDManager.newBaseManager(env.device())) {
            Seeds.set(1234);
            Stage2Model model = Stage2Model.create(qc, opt, root);
            NDArray softPrompt;
            try (GradMode ignored = GradMode.off()) {
                NDArray images = root.randomNormal(new Shape(config.batch(), config.patches(), qc.visionWidth()));
                softPrompt = model.bridge().forward(root, images, false).embeds();
            }
            NDArray bos = root.full(new Shape(config.batch(), 1), opt.bosTokenId(), DataType.INT64);
            cached = time(config, env, model, root, softPrompt, bos, greedy);
            uncached = time(config, env, model, root, softPrompt, bos, greedy.withCache(false));
            beam = time(config, env, model, root, softPrompt, bos, greedy.withBeams(BEAMS, 1.0));
        }
        double flops = Stage2Flops.generation(opt, config.batch(), prefix, newTokens, true);
        Measurement m = new Measurement(name(), config)
                .timed(cached.timings, config.batch(), flops, env)
                .put("new_tokens", newTokens)
                .put("prefix_len", prefix)
                .put("llm", Stage2StepBenchmark.describe(opt))
                .put("tokens_per_s_greedy_cache", Measurement.round(cached.tokensPerSecond()))
                .put("tokens_per_s_greedy_no_cache", Measurement.round(uncached.tokensPerSecond()))
                .put("tokens_per_s_beam3_cache", Measurement.round(beam.tokensPerSecond()))
                .put("median_ms_greedy_no_cache", Measurement.round(uncached.timings.medianMs()))
                .put("median_ms_beam3_cache", Measurement.round(beam.timings.medianMs()))
                .put("cache_speedup", Measurement.round(cached.tokensPerSecond() / uncached.tokensPerSecond()))
                .put("same_tokens", Arrays.deepEquals(cached.last.tokens(), uncached.last.tokens()))
                .environment(env);
        return List.of(m);
    }

    /** The timed calls of one decoding strategy and the last call's output. */
    private record Run(Timings timings, Generation last) {
        double tokensPerSecond() {
            long tokens = Arrays.stream(last.tokens()).mapToLong(t -> t.length).sum();
            return tokens / (timings.medianMs() / 1000);
        }
    }

    private static Run time(BenchConfig config, BenchEnvironment env, Stage2Model model, NDManager root,
                            NDArray softPrompt, NDArray promptIds, GenerationConfig strategy) throws Exception {
        Generation[] last = new Generation[1];
        Timings t = StepLoop.run(config, env, new PhaseClock(),
                () -> last[0] = model.generateFrom(root, softPrompt, promptIds, strategy));
        return new Run(t, last[0]);
    }
}
