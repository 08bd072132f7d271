package org.qformerlab.blip2.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.qformerlab.blip2.nn.GradMode;
import org.qformerlab.blip2.objectives.Itc;
import org.qformerlab.blip2.objectives.Itg;
import org.qformerlab.blip2.objectives.Itm;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.qformer.ImageContext;

/**
 * Scores given (image, text) pairs with each of the stage-1 heads, one number per pair and head
 * ({@link Scorer}): ITC's similarity {@code max_q cos}, ITM's match probability, and ITG's
 * log-likelihood of the text under the Q-Former's own LM head conditioned on the image's queries
 * ({@link Itg#logLikelihood}). Pairs go through in batches, each cut to its longest text.
 */
public final class PairScorer {

    /** The three ways a stage-1 Q-Former can say how well a text fits an image. */
    public enum Scorer {
        ITC("ITC similarity"),
        ITM("ITM match probability"),
        ITG("ITG log-likelihood");

        private final String label;

        Scorer(String label) {
            this.label = label;
        }

        /** How tables name it. */
        public String label() {
            return label;
        }

        /** The metric-name form, e.g. {@code "itm"}. */
        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final int batch;

    /** @param batch pairs per forward pass (memory, not results) */
    public PairScorer(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("PairScorer needs batch >= 1, got " + batch);
        }
        this.batch = batch;
    }

    /**
     * @param imageEmbeds frozen image features [N, P, Dv] (before {@code ln_vision})
     * @param imageRows for each pair, its image's row of {@code imageEmbeds}
     * @param textIds int64 [M, T], one text per pair
     * @param textMask int64 [M, T]
     * @return {@code [scorer.ordinal()][pair]}
     */
    public float[][] score(NDManager manager, Blip2QFormer model, NDArray imageEmbeds, long[] imageRows,
            NDArray textIds, NDArray textMask) {
        int m = imageRows.length;
        if (textIds.getShape().get(0) != m || textMask.getShape().get(0) != m) {
            throw new IllegalArgumentException(m + " pairs but " + textIds.getShape().get(0) + " texts: give one text per pair");
        }
        float[][] out = new float[Scorer.values().length][m];
        try (GradMode ignored = GradMode.off(); NDManager scope = manager.newSubManager()) {
            long cols = textMask.getShape().get(1);
            long[] length = textMask.toType(DataType.INT64, false)
                    .mul(scope.arange(1L, cols + 1, 1L, DataType.INT64)).max(new int[] {1}).toLongArray();
            for (int from = 0; from < m; from += batch) {
                int to = Math.min(m, from + batch);
                long longest = 1;
                for (int p = from; p < to; p++) {
                    longest = Math.max(longest, length[p]);
                }
                try (NDManager s = scope.newSubManager()) {
                    long[] rows = java.util.Arrays.copyOfRange(imageRows, from, to);
                    NDArray images = imageEmbeds.get(s.create(rows));
                    images.attach(s);
                    NDArray ids = textIds.get(from + ":" + to + ", :" + longest);
                    ids.attach(s);
                    NDArray mask = textMask.get(from + ":" + to + ", :" + longest);
                    mask.attach(s);
                    ImageContext context = model.encoder().encodeImage(model.normalizeImage(images));
                    Itc.ImageEmbedding image = Itc.embedImage(model, s, context, to - from, false);
                    NDArray text = Itc.textFeatures(model, Itc.encodeText(model, ids, mask, false));
                    NDArray itc = image.feats().mul(text.expandDims(1)).sum(new int[] {2}).max(new int[] {1});
                    NDArray itm = Itm.score(model, s, context, ids, mask, false).logits()
                            .toType(DataType.FLOAT32, false).softmax(1).get(":, 1");
                    NDArray itg = Itg.logLikelihood(model, image.queryPass(), ids, mask);
                    copy(itc, out[Scorer.ITC.ordinal()], from);
                    copy(itm, out[Scorer.ITM.ordinal()], from);
                    copy(itg, out[Scorer.ITG.ordinal()], from);
                }
            }
        }
        return out;
    }

    private static void copy(NDArray x, float[] into, int from) {
        float[] v = x.toType(DataType.FLOAT32, false).toFloatArray();
        System.arraycopy(v, 0, into, from, v.length);
    }
}
