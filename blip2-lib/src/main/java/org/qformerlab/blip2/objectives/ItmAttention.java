package org.qformerlab.blip2.objectives;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import org.qformerlab.blip2.nn.GradMode;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.qformer.ImageContext;
import org.qformerlab.blip2.qformer.SelfAttentionRecorder;

/**
 * How the ITM pass reads the text, measured on a batch of true (image, text) pairs. ITM can only
 * tell a true pair from a false one if a query, holding part of the image, looks up the words about
 * that part; under uniform attention every query sees the text as one average of its words. So,
 * per Q-Former layer, the queries' self-attention is summarised by two numbers beside their values
 * under uniform attention, and the matcher by how far apart true and mismatched pairs score.
 *
 * @param textShare per layer: the attention weight the queries give to the text, averaged over
 *     pairs, heads and queries (the rest goes to the queries)
 * @param largestWeight per layer: the largest weight a query gives to one position, averaged
 * @param uniformTextShare the text share under uniform attention: the mean of T / (Q + T)
 * @param uniformLargestWeight the largest weight under uniform attention: the mean of 1 / (Q + T)
 * @param matchGap the mean match margin (match logit minus no-match logit) of the true pairs minus
 *     that of mismatched pairs (each image with the next pair's text); 0 for a matcher that cannot
 *     tell them apart
 */
public record ItmAttention(
        double[] textShare, double[] largestWeight, double uniformTextShare, double uniformLargestWeight,
        double matchGap) {

    /**
     * @param imageEmbeds frozen image features of B images [B, P, Dv], B at least 2
     * @param textIds each image's own text [B, T] ({@code [CLS]} first)
     * @param textMask 1 = token, 0 = padding [B, T]
     */
    public static ItmAttention measure(
            Blip2QFormer model, NDManager scope, NDArray imageEmbeds, NDArray textIds, NDArray textMask) {
        long b = textIds.getShape().get(0);
        if (b < 2) {
            throw new IllegalArgumentException("measuring ITM's attention needs at least 2 pairs (one text is paired"
                    + " with the next image as the mismatch); got " + b);
        }
        int q = model.config().numQueries();
        try (GradMode ignored = GradMode.off()) {
            ImageContext image = model.encoder().encodeImage(model.normalizeImage(imageEmbeds));
            int layers = model.encoder().layers().size();
            double[] share = new double[layers];
            double[] largest = new double[layers];
            Itm.Scored matched;
            try (SelfAttentionRecorder recorder = SelfAttentionRecorder.attach(model.encoder())) {
                matched = Itm.score(model, scope, image, textIds, textMask, false);
                for (int l = 0; l < layers; l++) {
                    double[] s = summarise(recorder.weights(l), q);
                    share[l] = s[0];
                    largest[l] = s[1];
                }
            }
            NDArray next = scope.arange(1L, b + 1, 1L, DataType.INT64).mod(b);
            Itm.Scored mismatched = Itm.score(model, scope, image, textIds.get(next), textMask.get(next), false);

            float[] lengths = textMask.toType(DataType.FLOAT32, false).sum(new int[] {1}).toFloatArray();
            double uniformShare = 0;
            double uniformLargest = 0;
            for (float t : lengths) {
                uniformShare += t / (q + t) / b;
                uniformLargest += 1.0 / (q + t) / b;
            }
            return new ItmAttention(share, largest, uniformShare, uniformLargest,
                    margin(matched.logits()) - margin(mismatched.logits()));
        }
    }

    /**
     * The text share and the largest weight of one layer's weights [B, heads, Q+T, Q+T], over the
     * query rows (padded text positions are blocked, so they hold no weight).
     */
    static double[] summarise(NDArray weights, int numQueries) {
        NDArray queryRows = weights.get(new NDIndex(":, :, :{}, :", numQueries));
        double share = queryRows.get(new NDIndex(":, :, :, {}:", numQueries)).sum(new int[] {-1}).mean().getFloat();
        double largest = queryRows.max(new int[] {-1}).mean().getFloat();
        return new double[] {share, largest};
    }

    private static double margin(NDArray logits) {
        return logits.get(new NDIndex(":, 1")).sub(logits.get(new NDIndex(":, 0"))).mean().getFloat();
    }

    /** The mean over layers of {@link #textShare}. */
    public double meanTextShare() {
        return Arrays.stream(textShare).average().orElse(Double.NaN);
    }

    /** The mean over layers of {@link #largestWeight}. */
    public double meanLargestWeight() {
        return Arrays.stream(largestWeight).average().orElse(Double.NaN);
    }

    /**
     * Whether the queries attend about uniformly: every layer's largest weight under twice the
     * uniform one (the largest of ~27 near-equal weights is itself about 1.3x their mean). Then ITM
     * sees the text only as an average of its words.
     */
    public boolean uniform() {
        return Arrays.stream(largestWeight).allMatch(w -> w < 2 * uniformLargestWeight);
    }
}
