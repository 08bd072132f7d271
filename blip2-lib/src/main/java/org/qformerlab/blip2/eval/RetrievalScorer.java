package org.qformerlab.blip2.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.qformerlab.blip2.config.MaskSpec;
import org.qformerlab.blip2.config.StandardMask;
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

    /**
     * ITC similarities (image-text pairs) per unit of {@link #work}, a unit being about the time of
     * one embedding or one ITM candidate. Measured on the embedded preset's test split (2,800 images,
     * 11,200 captions, one PyTorch thread): about 3 ms an embedding, 2.5 ms an ITM candidate, and
     * 15 s for the 31 million similarities.
     */
    public static final long SIMILARITIES_PER_UNIT = 5_000;

    private final int k;
    private final int batch;
    private final int imageQueries;
    private final int textQueries;
    private final MaskSpec itmMask;

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
        this(k, batch, imageQueries, textQueries, StandardMask.BIDIRECTIONAL);
    }

    /**
     * As {@link #RetrievalScorer(int, int, int, int)}, with ITM scoring pairs under the mask the model
     * was trained with ({@code objective.itmMask}); BLIP-2's is bi-directional.
     */
    public RetrievalScorer(int k, int batch, int imageQueries, int textQueries, MaskSpec itmMask) {
        if (k < 0 || batch < 1 || imageQueries < 0 || textQueries < 0) {
            throw new IllegalArgumentException("RetrievalScorer needs k >= 0, batch >= 1 and query counts >= 0; got k="
                    + k + ", batch=" + batch + ", queries " + imageQueries + " / " + textQueries);
        }
        this.k = k;
        this.batch = batch;
        this.imageQueries = imageQueries;
        this.textQueries = textQueries;
        this.itmMask = itmMask;
    }

    /**
     * @param imageEmbeds frozen image features of the gallery [N, P, Dv] (before {@code ln_vision})
     * @param textIds int64 [M, T]
     * @param textMask int64 [M, T]
     */
    public Scores score(NDManager manager, Blip2QFormer model, NDArray imageEmbeds, NDArray textIds, NDArray textMask) {
        return score(manager, model, imageEmbeds, textIds, textMask, units -> { });
    }

    /**
     * The work {@link #score} does on a gallery of {@code images} and {@code texts}, in the units it
     * reports: one per image and per text embedded for ITC, one per {@link #SIMILARITIES_PER_UNIT}
     * similarities, one per candidate that ITM re-ranks (a pair among the top-k of both directions is
     * scored once and counts twice).
     */
    public long work(int images, int texts) {
        long units = (long) images + texts + similarityUnits(images, texts);
        if (k > 0) {
            units += (long) Math.min(images, imageQueries) * Math.min(k, texts)
                    + (long) Math.min(texts, textQueries) * Math.min(k, images);
        }
        return units;
    }

    /**
     * As {@link #score(NDManager, Blip2QFormer, NDArray, NDArray, NDArray)}, telling {@code progress}
     * the units of {@link #work} done after every batch; they add up to {@code work(N, M)}.
     */
    public Scores score(NDManager manager, Blip2QFormer model, NDArray imageEmbeds, NDArray textIds, NDArray textMask,
                        LongConsumer progress) {
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
                progress.accept(Math.min(n, from + batch) - from);
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
                progress.accept(Math.min(m, from + batch) - from);
            }
            NDArray txtT = concat(textFeats).transpose(); // [E, M]
            // the best query of each image against every text, a chunk of images at a time, so that
            // the [images x queries x texts] similarities are held for one chunk only
            float[][] itc = new float[n][];
            int chunkStart = 0;
            for (NDArray chunk : imageFeats) { // [B, Q, E]
                int b = (int) chunk.getShape().get(0);
                try (NDManager s = scope.newSubManager()) {
                    NDArray x = slice(chunk, 0, b, s);
                    long q = x.getShape().get(1);
                    float[] best = x.reshape(b * q, x.getShape().get(2)).matMul(txtT).reshape(b, q, m)
                            .max(new int[] {1}).toFloatArray();
                    for (int i = 0; i < b; i++) {
                        itc[chunkStart + i] = Arrays.copyOfRange(best, i * m, (i + 1) * m);
                    }
                }
                progress.accept(similarityUnits(chunkStart + b, m) - similarityUnits(chunkStart, m));
                chunkStart += b;
            }
            if (k == 0) {
                return new Scores(itc, itc, itc);
            }
            Map<Long, Float> itm = matchScores(scope, model, imageEmbeds, textIds, textMask, itc, progress);
            return new Scores(itc, reranked(itc, itm, true), reranked(itc, itm, false));
        }
    }

    /**
     * ITM match logits of every pair that either direction re-ranks, keyed by {@code image * M + text}.
     * Two savings, neither changing a score: a pair in both directions' top-k is scored once, and
     * pairs go through in order of text length, each batch cut to its longest text (the gallery is
     * padded to its longest caption, and padding is masked anyway). Each distinct image of a batch
     * has its cross-attention keys/values projected once. {@code progress} hears of the candidates
     * scored after every batch.
     */
    private Map<Long, Float> matchScores(NDManager scope, Blip2QFormer model, NDArray imageEmbeds, NDArray textIds,
            NDArray textMask, float[][] itc, LongConsumer progress) {
        int n = itc.length;
        int m = itc[0].length;
        Map<Long, Integer> wanted = new HashMap<>(); // pair -> the directions that re-rank it (1 or 2)
        for (int i = 0; i < Math.min(n, imageQueries); i++) {
            for (int t : topK(itc[i], Math.min(k, m))) {
                wanted.merge((long) i * m + t, 1, Integer::sum);
            }
        }
        for (int t = 0; t < Math.min(m, textQueries); t++) {
            for (int i : topK(column(itc, t), Math.min(k, n))) {
                wanted.merge((long) i * m + t, 1, Integer::sum);
            }
        }
        // each text's extent: 1 + the position of its last real token (padding may follow it)
        long cols = textMask.getShape().get(1);
        long[] length = textMask.toType(DataType.INT64, false)
                .mul(scope.arange(1L, cols + 1, 1L, DataType.INT64)).max(new int[] {1}).toLongArray();
        List<Long> pairs = new ArrayList<>(wanted.keySet());
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
                NDArray logits = Itm.score(model, s, context, ids, mask, itmMask, false).logits();
                float[] match = logits.get(":, 1").toType(DataType.FLOAT32, false).toFloatArray();
                for (int p = 0; p < chunk.size(); p++) {
                    out.put(chunk.get(p), match[p]);
                }
            }
            progress.accept(chunk.stream().mapToLong(wanted::get).sum());
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

    /** The units of {@link #work} of the similarities of {@code images} images to {@code texts} texts. */
    private static long similarityUnits(long images, long texts) {
        return (images * texts + SIMILARITIES_PER_UNIT - 1) / SIMILARITIES_PER_UNIT;
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
}
