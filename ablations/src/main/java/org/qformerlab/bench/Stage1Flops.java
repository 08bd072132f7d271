package org.qformerlab.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.qformerlab.blip2.config.QFormerConfig;

/**
 * Analytic floating-point operations of one BLIP-2 stage-1 training step, counted from the sizes:
 * every matrix product of the forward pass (2 FLOPs per multiply-add), with the backward pass
 * counted as twice the forward (the usual rule: gradients with respect to inputs and to weights).
 * Element-wise work (softmax, LayerNorm, GELU, dropout, losses, the optimizer) is not counted: it
 * is small beside the products and bound by memory, not arithmetic.
 *
 * <p>The forward pass of {@code Stage1Objective} with all three losses, for batch B, Q queries,
 * T text tokens, P patches, hidden H, feed-forward width I, C cross-attention layers of L:
 *
 * <ul>
 *   <li>image keys/values: two {@code Dv -> H} projections of B x P patches per cross-attention layer;
 *   <li>query pass (ITC image side, reused by ITG): B sequences of Q queries, self-attention,
 *       cross-attention to P patches in C layers, the query feed-forward; {@code vision_proj};
 *   <li>text pass (ITC text side): B sequences of T tokens, self-attention, the text feed-forward;
 *       {@code text_proj} on [CLS]; the similarity matrix over Q queries;
 *   <li>ITM pass: 3B sequences of Q + T positions (self-attention over all), cross-attention and
 *       query feed-forward on the Q positions, text feed-forward on the T; {@code itm_head};
 *   <li>ITG pass: B sequences of T tokens attending to Q cached query keys plus T text keys, the
 *       text feed-forward; the LM head (transform and the decoder over the vocabulary).
 * </ul>
 */
public final class Stage1Flops {

    private final Map<String, Double> forward = new LinkedHashMap<>();

    public Stage1Flops(QFormerConfig c, long batch, long patches, long textLength) {
        double b = batch;
        double q = c.numQueries();
        double t = textLength;
        double p = patches;
        double h = c.hiddenSize();
        double i = c.intermediateSize();
        double dv = c.visionWidth();
        double cross = 0;
        for (int l = 0; l < c.numLayers(); l++) {
            cross += c.hasCrossAttention(l) ? 1 : 0;
        }
        double layers = c.numLayers();

        forward.put("image_kv", cross * 2 * linear(b * p, dv, h));
        forward.put("query_pass", layers * (selfAttention(b * q, q, h) + feedForward(b * q, h, i))
                + cross * crossAttention(b * q, p, h)
                + linear(b * q, h, c.embedDim()));
        forward.put("text_pass", layers * (selfAttention(b * t, t, h) + feedForward(b * t, h, i))
                + linear(b, h, c.embedDim())
                + 2 * b * q * c.embedDim() * b);
        double n = 3 * b;
        forward.put("itm_pass", layers * (selfAttention(n * (q + t), q + t, h)
                        + feedForward(n * q, h, i) + feedForward(n * t, h, i))
                + cross * crossAttention(n * q, p, h)
                + linear(n * q, h, 2));
        forward.put("itg_pass", layers * (selfAttention(b * t, q + t, h) + feedForward(b * t, h, i))
                + linear(b * t, h, h) + linear(b * t, h, c.vocabSize()));
    }

    /** {@code rows x in} times {@code in x out}. */
    static double linear(double rows, double in, double out) {
        return 2 * rows * in * out;
    }

    /** Q, K, V and output projections of {@code rows} positions; scores and context over {@code keys}. */
    static double selfAttention(double rows, double keys, double h) {
        return 4 * linear(rows, h, h) + 2 * (2 * rows * keys * h);
    }

    /** Query and output projections of {@code rows} queries; scores and context over {@code patches} (K/V are in image_kv). */
    static double crossAttention(double rows, double patches, double h) {
        return 2 * linear(rows, h, h) + 2 * (2 * rows * patches * h);
    }

    /** {@code intermediate} (H -> I) and {@code output} (I -> H). */
    static double feedForward(double rows, double h, double i) {
        return linear(rows, h, i) + linear(rows, i, h);
    }

    /** Forward FLOPs by part: image_kv, query_pass, text_pass, itm_pass, itg_pass. */
    public Map<String, Double> forwardParts() {
        return java.util.Collections.unmodifiableMap(forward);
    }

    public double forward() {
        return forward.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** Forward + backward (2 x forward): one training step. */
    public double trainingStep() {
        return 3 * forward();
    }
}
