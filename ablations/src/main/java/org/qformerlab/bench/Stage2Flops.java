package org.qformerlab.bench;

import static org.qformerlab.bench.Stage1Flops.feedForward;
import static org.qformerlab.bench.Stage1Flops.linear;

import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.llm.OptConfig;
import org.qformerlab.blip2.llm.T5Config;

/**
 * Analytic matmul FLOPs of BLIP-2 stage 2 (counted as in {@link Stage1Flops}: 2 per multiply-add,
 * element-wise work left out). Products are split in two kinds, because their backward costs
 * differ when a model is frozen:
 *
 * <ul>
 *   <li>{@code weights}: an activation times a weight matrix (projections, feed-forward, LM head).
 *       Backward needs the input gradient (1x forward) and, for a trained weight, its gradient (1x);
 *   <li>{@code activations}: two activations multiplied (attention scores and context). Backward
 *       needs the gradients of both operands: 2x forward, frozen or not.
 * </ul>
 *
 * So the frozen OPT's backward, which only carries gradients to the soft prompt, costs
 * {@code weights + 2 activations}, while the trained bridge's costs twice its forward.
 */
public final class Stage2Flops {

    private Stage2Flops() {}

    /** FLOPs of one forward pass, by kind. */
    public record MatmulCount(double weights, double activations) {

        public MatmulCount plus(MatmulCount o) {
            return new MatmulCount(weights + o.weights, activations + o.activations);
        }

        public double forward() {
            return weights + activations;
        }

        /** Backward of a trained module: gradients of inputs and weights (2x forward). */
        public double backward() {
            return 2 * forward();
        }

        /** Backward of a frozen module that passes gradients to its inputs only. */
        public double backwardToInputs() {
            return weights + 2 * activations;
        }
    }

    /**
     * The Q-Former bridge: image keys/values in every cross-attention layer, the query pass (Q
     * queries self-attending, cross-attending to P patches, the query feed-forward) and the
     * projection to the LLM width.
     */
    public static MatmulCount bridge(QFormerConfig c, long batch, long patches, int llmWidth) {
        double b = batch;
        double q = c.numQueries();
        double h = c.hiddenSize();
        double cross = 0;
        for (int l = 0; l < c.numLayers(); l++) {
            cross += c.hasCrossAttention(l) ? 1 : 0;
        }
        double weights = cross * 2 * linear(b * patches, c.visionWidth(), h)
                + c.numLayers() * (4 * linear(b * q, h, h) + feedForward(b * q, h, c.intermediateSize()))
                + cross * 2 * linear(b * q, h, h)
                + linear(b * q, h, llmWidth);
        double activations = c.numLayers() * 2 * (2 * b * q * q * h) + cross * 2 * (2 * b * q * patches * h);
        return new MatmulCount(weights, activations);
    }

    /**
     * One OPT call: {@code rows} sequences of {@code positions} new positions, each attending to
     * {@code keys} positions (cached + new), and the tied LM head on every new position (OPT
     * computes logits everywhere).
     */
    public static MatmulCount opt(OptConfig c, long rows, long positions, long keys) {
        double n = (double) rows * positions;
        double d = c.hiddenSize();
        double weights = c.numLayers() * (4 * linear(n, d, d) + feedForward(n, d, c.ffnDim())) + linear(n, d, c.vocabSize());
        double activations = c.numLayers() * 2 * (2 * n * keys * d);
        return new MatmulCount(weights, activations);
    }

    /**
     * One T5 call: the encoder over {@code encoderPositions} positions of {@code rows} sequences, the
     * decoder over {@code decoderPositions} (self-attending causally, cross-attending to the encoder's
     * positions) and the untied LM head on every decoder position. Attention works at the inner width
     * heads * dKv; the gated feed-forward has three matrices (wi_0, wi_1, wo).
     */
    public static MatmulCount t5(T5Config c, long rows, long encoderPositions, long decoderPositions) {
        double e = (double) rows * encoderPositions;
        double d = (double) rows * decoderPositions;
        double m = c.dModel();
        double inner = (double) c.numHeads() * c.dKv();
        double gated = feedForward(1, m, c.dFf()) + linear(1, m, c.dFf()); // per position
        double weights = c.numLayers() * (4 * linear(e, m, inner) + e * gated)
                + c.numDecoderLayers() * (4 * linear(d, m, inner) // self-attention
                        + 2 * linear(d, m, inner) + 2 * linear(e, m, inner) // cross: q, o on the decoder; k, v on the encoder
                        + d * gated)
                + linear(d, m, c.vocabSize());
        double activations = c.numLayers() * 2 * (2 * e * encoderPositions * inner)
                + c.numDecoderLayers() * 2 * (2 * d * decoderPositions * inner + 2 * d * encoderPositions * inner);
        return new MatmulCount(weights, activations);
    }

    /**
     * One stage-2 training step: bridge forward, OPT forward over [Q soft-prompt positions ; T
     * text], OPT backward to its inputs, bridge backward.
     */
    public static double trainingStep(QFormerConfig qc, OptConfig opt, long batch, long patches, long textLength) {
        MatmulCount bridge = bridge(qc, batch, patches, opt.hiddenSize());
        long s = qc.numQueries() + textLength;
        MatmulCount llm = opt(opt, batch, s, s);
        return bridge.forward() + bridge.backward() + llm.forward() + llm.backwardToInputs();
    }

    /**
     * One stage-2 training step with a frozen T5 (LAVIS {@code Blip2T5}): bridge forward; the encoder
     * reads [Q soft-prompt positions ; the prompt's words and EOS] ({@code prompt} positions: the
     * prompt without its start token, plus EOS), the decoder the rest of the text; T5 backward to its
     * inputs (the soft prompt, through the cross-attention), bridge backward.
     */
    public static double trainingStep(QFormerConfig qc, T5Config t5, long batch, long patches, long textLength,
            long prompt) {
        MatmulCount bridge = bridge(qc, batch, patches, t5.dModel());
        MatmulCount llm = t5(t5, batch, qc.numQueries() + prompt, textLength - prompt);
        return bridge.forward() + bridge.backward() + llm.forward() + llm.backwardToInputs();
    }

    /**
     * Decoding {@code newTokens} tokens for {@code rows} sequences after a prefix of {@code prefix}
     * positions: one call over the prefix, then one call per further token. With the KV cache each
     * further call reads one new position; without it, the whole sequence so far again.
     */
    public static double generation(OptConfig opt, long rows, long prefix, int newTokens, boolean cache) {
        double total = opt(opt, rows, prefix, prefix).forward();
        for (int t = 1; t < newTokens; t++) {
            long length = prefix + t;
            total += opt(opt, rows, cache ? 1 : length, length).forward();
        }
        return total;
    }
}
