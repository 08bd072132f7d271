package org.qformerlab.bench;

import static org.qformerlab.bench.Stage1Flops.feedForward;
import static org.qformerlab.bench.Stage1Flops.linear;

import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.llm.OptConfig;

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
