package org.qformerlab.blip2.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.qformerlab.blip2.nn.GradMode;
import org.qformerlab.blip2.objectives.Itc;
import org.qformerlab.blip2.objectives.Itm;
import org.qformerlab.blip2.qformer.Blip2QFormer;

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
 */
public final class RetrievalScorer {

    /** Score matrices [images][texts]: ITC alone, and ITM-re-ranked for each direction. */
    public record Scores(float[][] itc, float[][] imageToTextReranked, float[][] textToImageReranked) {}

    private final int k;
    private final int batch;

    /**
     * @param k candidates re-ranked by ITM per query (0 = ITC only)
     * @param batch pairs per forward pass
     */
    public RetrievalScorer(int k, int batch) {
        if (k < 0 || batch < 1) {
            throw new IllegalArgumentException("RetrievalScorer needs k >= 0 and batch >= 1; got k=" + k + ", batch=" + batch);
        }
        this.k = k;
        this.batch = batch;
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
            float[][] i2t = rerank(scope, model, imageEmbeds, textIds, textMask, itc, true);
            float[][] t2i = rerank(scope, model, imageEmbeds, textIds, textMask, itc, false);
            return new Scores(itc, i2t, t2i);
        }
    }

    /** ITM re-ranking of every row's (image->text) or column's (text->image) top-k candidates. */
    private float[][] rerank(NDManager scope, Blip2QFormer model, NDArray imageEmbeds, NDArray textIds,
            NDArray textMask, float[][] itc, boolean imageToText) {
        int n = itc.length;
        int m = itc[0].length;
        float[][] out = new float[n][m];
        for (float[] row : out) {
            Arrays.fill(row, Float.NEGATIVE_INFINITY);
        }
        // every (image, text) pair to score, in query order
        List<int[]> pairs = new ArrayList<>();
        int queries = imageToText ? n : m;
        for (int a = 0; a < queries; a++) {
            float[] scores = new float[imageToText ? m : n];
            for (int b = 0; b < scores.length; b++) {
                scores[b] = imageToText ? itc[a][b] : itc[b][a];
            }
            for (int b : topK(scores, Math.min(k, scores.length))) {
                pairs.add(imageToText ? new int[] {a, b} : new int[] {b, a});
            }
        }
        for (int from = 0; from < pairs.size(); from += batch) {
            List<int[]> chunk = pairs.subList(from, Math.min(pairs.size(), from + batch));
            try (NDManager s = scope.newSubManager()) {
                NDArray imageIdx = s.create(chunk.stream().mapToLong(p -> p[0]).toArray());
                NDArray textIdx = s.create(chunk.stream().mapToLong(p -> p[1]).toArray());
                NDArray images = imageEmbeds.get(imageIdx);
                images.attach(s);
                NDArray ids = textIds.get(textIdx);
                ids.attach(s);
                NDArray mask = textMask.get(textIdx);
                mask.attach(s);
                NDArray logits = Itm.score(model, s, model.encoder().encodeImage(model.normalizeImage(images)),
                        ids, mask, false).logits();
                float[] match = logits.get(":, 1").toType(DataType.FLOAT32, false).toFloatArray();
                for (int i = 0; i < chunk.size(); i++) {
                    int[] p = chunk.get(i);
                    out[p[0]][p[1]] = match[i] + itc[p[0]][p[1]];
                }
            }
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
