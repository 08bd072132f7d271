package org.qformerlab.blip2.objectives;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.qformerlab.blip2.nn.GradMode;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.qformer.CrossAttentionRecorder;
import org.qformerlab.blip2.qformer.ImageContext;
import org.qformerlab.blip2.qformer.SelfAttentionRecorder;

/**
 * Where the queries look, for a few (image, text) pairs: the two attention maps that explain a
 * trained Q-Former.
 *
 * <ul>
 *   <li><b>Cross-attention</b>, from the query pass (queries alone over the image, the pass whose
 *       output ITC and stage 2 use): for each cross-attending layer, image and query, a distribution
 *       over the image's patches. Queries that specialise look at different parts of the image.
 *   <li><b>ITM self-attention</b>, from the ITM pass (queries and the pair's text together, each
 *       seeing the other): for each layer and image, the [Q+T, Q+T] weights between queries and
 *       words. Padded text positions are blocked, so they hold no weight.
 * </ul>
 * All weights are averaged over the heads.
 *
 * @param crossLayers the encoder layer index of each cross-attending layer
 * @param cross [crossLayers][images][queries][patches], each row sums to 1 over the patches
 * @param self [layers][images][Q+T][Q+T] of the ITM pass, each row sums to 1 over the keys
 * @param numQueries Q
 * @param textLengths each pair's text tokens ({@code [CLS]} included, padding not)
 */
public record QueryAttention(int[] crossLayers, float[][][][] cross, float[][][][] self, int numQueries,
        int[] textLengths) {

    /**
     * @param imageEmbeds frozen image features [B, P, Dv]
     * @param textIds each image's text [B, T] ({@code [CLS]} first)
     * @param textMask 1 = token, 0 = padding [B, T]
     */
    public static QueryAttention measure(
            Blip2QFormer model, NDManager scope, NDArray imageEmbeds, NDArray textIds, NDArray textMask) {
        long b = imageEmbeds.getShape().get(0);
        if (textIds.getShape().get(0) != b) {
            throw new IllegalArgumentException("need one text per image; got " + b + " images and "
                    + textIds.getShape().get(0) + " texts");
        }
        try (GradMode ignored = GradMode.off()) {
            ImageContext image = model.encoder().encodeImage(model.normalizeImage(imageEmbeds));
            int[] crossLayers;
            float[][][][] cross;
            try (CrossAttentionRecorder recorder = CrossAttentionRecorder.attach(model.encoder())) {
                Itc.embedImage(model, scope, image, b, false);
                crossLayers = new int[recorder.layers()];
                cross = new float[recorder.layers()][][][];
                for (int k = 0; k < recorder.layers(); k++) {
                    crossLayers[k] = recorder.layerIndex(k);
                    cross[k] = headMean(recorder.weights(k));
                }
            }
            float[][][][] self;
            try (SelfAttentionRecorder recorder = SelfAttentionRecorder.attach(model.encoder())) {
                Itm.score(model, scope, image, textIds, textMask, false);
                self = new float[recorder.layers()][][][];
                for (int l = 0; l < recorder.layers(); l++) {
                    self[l] = headMean(recorder.weights(l));
                }
            }
            float[] lengths = textMask.toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                    .sum(new int[] {1}).toFloatArray();
            int[] textLengths = new int[lengths.length];
            for (int i = 0; i < lengths.length; i++) {
                textLengths[i] = Math.round(lengths[i]);
            }
            return new QueryAttention(crossLayers, cross, self, model.config().numQueries(), textLengths);
        }
    }

    /** [B, heads, R, K] averaged over the heads, as Java arrays [B][R][K]. */
    static float[][][] headMean(NDArray weights) {
        NDArray mean = weights.mean(new int[] {1});
        int b = (int) mean.getShape().get(0);
        int r = (int) mean.getShape().get(1);
        int k = (int) mean.getShape().get(2);
        float[] flat = mean.toFloatArray();
        float[][][] out = new float[b][r][k];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < r; j++) {
                System.arraycopy(flat, (i * r + j) * k, out[i][j], 0, k);
            }
        }
        return out;
    }

    public int images() {
        return textLengths.length;
    }

    public int patches() {
        return cross.length == 0 ? 0 : cross[0][0][0].length;
    }

    /** Cross-attention averaged over the cross-attending layers: [images][queries][patches]. */
    public float[][][] crossMean() {
        if (cross.length == 0) {
            throw new IllegalStateException("this Q-Former has no cross-attention layer");
        }
        int n = images();
        float[][][] out = new float[n][numQueries][patches()];
        for (float[][][] layer : cross) {
            for (int i = 0; i < n; i++) {
                for (int q = 0; q < numQueries; q++) {
                    for (int p = 0; p < out[i][q].length; p++) {
                        out[i][q][p] += layer[i][q][p] / cross.length;
                    }
                }
            }
        }
        return out;
    }

    /**
     * Image {@code i}'s ITM self-attention averaged over the layers, padding cut off:
     * [Q + textLengths[i]][Q + textLengths[i]], queries first.
     */
    public float[][] itmMean(int i) {
        int n = numQueries + textLengths[i];
        float[][] out = new float[n][n];
        for (float[][][] layer : self) {
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < n; c++) {
                    out[r][c] += layer[i][r][c] / self.length;
                }
            }
        }
        return out;
    }

    /**
     * The mean entropy (nats) of a query's distribution over the patches, per cross-attending layer,
     * averaged over images and queries: {@code ln(patches)} when queries look everywhere alike, lower
     * as they specialise on parts of the image.
     */
    public double[] crossEntropy() {
        double[] out = new double[cross.length];
        for (int k = 0; k < cross.length; k++) {
            double sum = 0;
            int count = 0;
            for (float[][] image : cross[k]) {
                for (float[] query : image) {
                    sum += entropy(query);
                    count++;
                }
            }
            out[k] = sum / count;
        }
        return out;
    }

    /** The entropy (nats) of the uniform distribution over the patches: where {@link #crossEntropy} starts. */
    public double uniformEntropy() {
        return Math.log(patches());
    }

    static double entropy(float[] p) {
        double h = 0;
        for (float v : p) {
            if (v > 0) {
                h -= v * Math.log(v);
            }
        }
        return h;
    }
}
