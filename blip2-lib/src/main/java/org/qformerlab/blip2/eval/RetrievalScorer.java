package org.qformerlab.blip2.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qformerlab.blip2.nn.GradMode;
import org.qformerlab.blip2.objectives.Itc;
import org.qformerlab.blip2.objectives.Itm;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.qformer.ImageContext;

/**
 * Image-text retrieval as BLIP-2 evaluates it (LAVIS {@code compute_sim_matrix}):
 *
 * <ol>
 *   <li>ITC: every image's query embeddings against every text's [CLS] embedding; similarity is the
 *       best query, {@code max_q cos}; this ranks the whole gallery cheaply;
 *   <li>ITM re-ranking: for each image its top-k texts (and for each text its top-k images) are run
 *       jointly through the Q-Former; the final score is {@code itm_logit(match) + itc_similarity},
 *       candidates outside the top-k keep their place behind them.
 * </ol>
 *
 * Computing less than LAVIS, with the same scores: see {@link #matchScores}.
 */
public final class RetrievalScorer {

    /** Score matrices [images][texts]: ITC alone, and ITM-re-ranked for each direction. */
    public record Scores(float[][] itc, float[][] imageToTextReranked, float[][] textToImageReranked) {}

    private final int k;
    private final int batch;
    private final int imageQueries;
    private final int textQueries;

    /**
     * @param k candidates re-ranked by ITM per query (0 = ITC only)
     * @param batch pairs per forward pass
     */
    public RetrievalScorer(int k, int batch) {
        this(k, batch, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /**
     * As {@link #RetrievalScorer(int, int)}, re-ranking only the first {@code imageQueries} images as
     * image->text queries and the first {@code textQueries} texts as text->image queries (the gallery
     * stays whole); the other queries' re-ranked rows keep ITC's order. ITM's cost then grows with the
     * queries re-ranked, not with the square of the gallery.
     */
    public RetrievalScorer(int k, int batch, int imageQueries, int textQueries) {
        if (k < 0 || batch < 1 || imageQueries < 0 || textQueries < 0) {
            throw new IllegalArgumentException("RetrievalScorer needs k >= 0, batch >= 1 and query counts >= 0; got k="
                    + k + ", batch=" + batch + ", queries " + imageQueries + " / " + textQueries);
        }
        this.k = k;
        this.batch = batch;
        this.imageQueries = imageQueries;
        this.textQueries = textQueries;
    }

    /**
     * @param imageEmbeds frozen image features of the gallery [N, P, Dv] (before {@code ln_vision})
     * @param textIds int64 [M, T]
     * @param textMask int64 [M, T]
     */
    public Scores score(NDManager manager, Blip2QFormer model, NDArray imageEmbeds, NDArray textIds, NDArray textMask) {
        try (GradMode ignored = GradMode.off(); NDManager scope = manager.newSubManager()) {
            int n = (int) imageEmbeds.getShape().get(0);
            int m = (int) textIds.getShape().get(0);
            // ITC embeddings of all images and all texts, in chunks
            List<NDArray> imageFeats = new ArrayList<>();
            for (int from = 0; from < n; from += batch) {
                try (NDManager s = scope.newSubManager()) {
                    NDArray x = slice(imageEmbeds, from, Math.min(n, from + batch), s);
                    NDArray feats = Itc.embedImage(model, s, model.encoder().encodeImage(model.normalizeImage(x)),
                            x.getShape().get(0), false).feats();
                    feats.attach(scope);
                    imageFeats.add(feats);
                }
            }
            List<NDArray> textFeats = new ArrayList<>();
            for (int from = 0; from < m; from += batch) {
                try (NDManager s = scope.newSubManager()) {
                    NDArray ids = slice(textIds, from, Math.min(m, from + batch), s);
                    NDArray mask = slice(textMask, from, Math.min(m, from + batch), s);
                    NDArray feats = Itc.textFeatures(model, Itc.encodeText(model, ids, mask, false));
                    feats.attach(scope);
                    textFeats.add(feats);
                }
            }
            NDArray img = concat(imageFeats); // [N, Q, E]
            NDArray txt = concat(textFeats); // [M, E]
            long q = img.getShape().get(1);
            NDArray sim = img.reshape(n * q, img.getShape().get(2)).matMul(txt.transpose()).reshape(n, q, m)
                    .max(new int[] {1});
            float[][] itc = rows(sim.toFloatArray(), n, m);
            if (k == 0) {
                return new Scores(itc, itc, itc);
            }
            Map<Long, Float> itm = matchScores(scope, model, imageEmbeds, textIds, textMask, itc);
            return new Scores(itc, reranked(itc, itm, true), reranked(itc, itm, false));
        }
    }

    /**
     * ITM match logits of every pair that either direction re-ranks, keyed by {@code image * M + text}.
     * Two savings, neither changing a score: a pair in both directions' top-k is scored once, and
     * pairs go through in order of text length, each batch cut to its longest text (the gallery is
     * padded to its longest caption, and padding is masked anyway). Each distinct image of a batch
     * has its cross-attention keys/values projected once.
     */
    private Map<Long, Float> matchScores(NDManager scope, Blip2QFormer model, NDArray imageEmbeds, NDArray textIds,
            NDArray textMask, float[][] itc) {
        int n = itc.length;
        int m = itc[0].length;
        Set<Long> wanted = new HashSet<>();
        for (int i = 0; i < Math.min(n, imageQueries); i++) {
            for (int t : topK(itc[i], Math.min(k, m))) {
                wanted.add((long) i * m + t);
            }
        }
        for (int t = 0; t < Math.min(m, textQueries); t++) {
            for (int i : topK(column(itc, t), Math.min(k, n))) {
                wanted.add((long) i * m + t);
            }
        }
        // each text's extent: 1 + the position of its last real token (padding may follow it)
        long cols = textMask.getShape().get(1);
        long[] length = textMask.toType(DataType.INT64, false)
                .mul(scope.arange(1L, cols + 1, 1L, DataType.INT64)).max(new int[] {1}).toLongArray();
        List<Long> pairs = new ArrayList<>(wanted);
        pairs.sort(Comparator.<Long>comparingLong(p -> length[(int) (p % m)]).thenComparingLong(p -> p));
        Map<Long, Float> out = new HashMap<>();
        for (int from = 0; from < pairs.size(); from += batch) {
            List<Long> chunk = pairs.subList(from, Math.min(pairs.size(), from + batch));
            Map<Long, Integer> distinct = new LinkedHashMap<>(); // image -> its row among the chunk's images
            long[] row = new long[chunk.size()];
            long[] text = new long[chunk.size()];
            for (int p = 0; p < chunk.size(); p++) {
                row[p] = distinct.computeIfAbsent(chunk.get(p) / m, image -> distinct.size());
                text[p] = chunk.get(p) % m;
            }
            long longest = length[(int) text[chunk.size() - 1]];
            try (NDManager s = scope.newSubManager()) {
                NDArray images = imageEmbeds.get(s.create(distinct.keySet().stream().mapToLong(Long::longValue).toArray()));
                images.attach(s);
                ImageContext context = model.encoder().encodeImage(model.normalizeImage(images)).rows(s.create(row));
                NDArray textIdx = s.create(text);
                NDArray ids = textIds.get(textIdx).get(":, :" + longest);
                ids.attach(s);
                NDArray mask = textMask.get(textIdx).get(":, :" + longest);
                mask.attach(s);
                NDArray logits = Itm.score(model, s, context, ids, mask, false).logits();
                float[] match = logits.get(":, 1").toType(DataType.FLOAT32, false).toFloatArray();
                for (int p = 0; p < chunk.size(); p++) {
                    out.put(chunk.get(p), match[p]);
                }
            }
        }
        return out;
    }

    /**
     * One direction's re-ranked scores: each row's (image->text) or column's (text->image) top-k
     * get {@code itm_logit(match) + itc_similarity}; everything else -infinity, so it ranks behind
     * them in ITC's order.
     */
    private float[][] reranked(float[][] itc, Map<Long, Float> itm, boolean imageToText) {
        int n = itc.length;
        int m = itc[0].length;
        float[][] out = new float[n][m];
        for (float[] row : out) {
            Arrays.fill(row, Float.NEGATIVE_INFINITY);
        }
        if (imageToText) {
            for (int i = 0; i < Math.min(n, imageQueries); i++) {
                for (int t : topK(itc[i], Math.min(k, m))) {
                    out[i][t] = itm.get((long) i * m + t) + itc[i][t];
                }
            }
        } else {
            for (int t = 0; t < Math.min(m, textQueries); t++) {
                for (int i : topK(column(itc, t), Math.min(k, n))) {
                    out[i][t] = itm.get((long) i * m + t) + itc[i][t];
                }
            }
        }
        return out;
    }

    private static float[] column(float[][] matrix, int col) {
        float[] out = new float[matrix.length];
        for (int r = 0; r < matrix.length; r++) {
            out[r] = matrix[r][col];
        }
        return out;
    }

    /** Indices of the k largest scores, best first; ties go to the lower index. */
    public static int[] topK(float[] scores, int k) {
        Integer[] idx = new Integer[scores.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> scores[a] != scores[b] ? Float.compare(scores[b], scores[a]) : Integer.compare(a, b));
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = idx[i];
        }
        return out;
    }

    private static NDArray slice(NDArray x, int from, int to, NDManager s) {
        NDArray out = x.get(from + ":" + to);
        out.attach(s);
        return out;
    }

    private static NDArray concat(List<NDArray> parts) {
        NDArray out = parts.get(0);
        for (int i = 1; i < parts.size(); i++) {
            out = out.concat(parts.get(i), 0);
        }
        return out;
    }

    private static float[][] rows(float[] flat, int n, int m) {
        float[][] out = new float[n][m];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * m, out[i], 0, m);
        }
        return out;
    }
}
