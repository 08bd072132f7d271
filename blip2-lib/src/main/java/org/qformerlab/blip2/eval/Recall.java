package org.qformerlab.blip2.eval;

import java.util.Arrays;

/**
 * Retrieval recall@k in both directions over a gallery of images and texts, from a score matrix
 * {@code scores[image][text]} (higher = better match).
 *
 * <ul>
 *   <li>image -> text: an image is a hit at k when <em>any</em> of its own captions is among the k
 *       best-scored texts (an image has several true captions, as in COCO);
 *   <li>text -> image: a text is a hit at k when its own image is among the k best-scored images.
 * </ul>
 *
 * <p>Ranking: candidates are ordered by {@code scores}, ties broken by an optional second matrix
 * ({@code tiebreak}; after ITM re-ranking, the ITC scores, so that candidates outside the re-ranked
 * top-k keep their ITC order behind the re-ranked ones). Candidates still tied with the best true
 * match count as ranked before it: a model that scores everything alike gets no hits by luck.
 * NaN scores rank last.
 *
 * @param ks the cut-offs, e.g. {1, 5, 10}
 * @param imageToText recall at each k, image -> text, in [0, 1]
 * @param textToImage recall at each k, text -> image, in [0, 1]
 */
public record Recall(int[] ks, double[] imageToText, double[] textToImage) {

    /** The usual cut-offs of retrieval papers. */
    public static final int[] STANDARD_KS = {1, 5, 10};

    /**
     * @param scores {@code [images][texts]}
     * @param tiebreak {@code [images][texts]} or null
     * @param owners for each text, the index of its image
     */
    public static Recall of(float[][] scores, float[][] tiebreak, int[] owners, int[] ks) {
        int images = scores.length;
        int texts = owners.length;
        for (float[] row : scores) {
            if (row.length != texts) {
                throw new IllegalArgumentException("scores have rows of " + row.length + " texts but there are "
                        + texts + " text owners");
            }
        }
        int[][] captionsOf = captionsOf(owners, images);
        double[] i2t = new double[ks.length];
        for (int i = 0; i < images; i++) {
            if (captionsOf[i].length == 0) {
                throw new IllegalArgumentException("image " + i + " has no caption: image->text recall is undefined");
            }
            int rank = rank(scores[i], tiebreak == null ? null : tiebreak[i], captionsOf[i]);
            count(i2t, ks, rank);
        }
        double[] t2i = new double[ks.length];
        for (int t = 0; t < texts; t++) {
            float[] column = new float[images];
            float[] tieColumn = tiebreak == null ? null : new float[images];
            for (int i = 0; i < images; i++) {
                column[i] = scores[i][t];
                if (tieColumn != null) {
                    tieColumn[i] = tiebreak[i][t];
                }
            }
            count(t2i, ks, rank(column, tieColumn, new int[] {owners[t]}));
        }
        for (int j = 0; j < ks.length; j++) {
            i2t[j] /= images;
            t2i[j] /= texts;
        }
        return new Recall(ks.clone(), i2t, t2i);
    }

    /**
     * What a random ranking scores on average. Text -> image: {@code k / images}. Image -> text:
     * the chance that k texts drawn without replacement from all texts include at least one of the
     * image's c captions, {@code 1 - C(texts - c, k) / C(texts, k)}, averaged over images.
     */
    public static Recall chance(int[] owners, int images, int[] ks) {
        int texts = owners.length;
        int[][] captionsOf = captionsOf(owners, images);
        double[] i2t = new double[ks.length];
        double[] t2i = new double[ks.length];
        for (int j = 0; j < ks.length; j++) {
            int k = Math.min(ks[j], texts);
            for (int[] own : captionsOf) {
                // C(texts - c, k) / C(texts, k) = prod_{r=0}^{k-1} (texts - c - r) / (texts - r)
                double miss = 1;
                for (int r = 0; r < k; r++) {
                    miss *= Math.max(0, texts - own.length - r) / (double) (texts - r);
                }
                i2t[j] += (1 - miss) / images;
            }
            t2i[j] = Math.min(ks[j], images) / (double) images;
        }
        return new Recall(ks.clone(), i2t, t2i);
    }

    /** Recall@k image -> text for one of {@link #ks()}. */
    public double imageToText(int k) {
        return imageToText[index(k)];
    }

    /** Recall@k text -> image for one of {@link #ks()}. */
    public double textToImage(int k) {
        return textToImage[index(k)];
    }

    /**
     * 0-based rank of the best positive among the candidates: the number of other (non-positive)
     * candidates that score at least as well as it.
     */
    static int rank(float[] scores, float[] tiebreak, int[] positives) {
        int best = positives[0];
        for (int p : positives) {
            if (compare(scores, tiebreak, p, best) > 0) {
                best = p;
            }
        }
        boolean[] positive = new boolean[scores.length];
        for (int p : positives) {
            positive[p] = true;
        }
        int rank = 0;
        for (int c = 0; c < scores.length; c++) {
            if (!positive[c] && compare(scores, tiebreak, c, best) >= 0) {
                rank++;
            }
        }
        return rank;
    }

    /** Compares candidates a and b: by score, then by tiebreak; NaN is the worst score. */
    private static int compare(float[] scores, float[] tiebreak, int a, int b) {
        int c = Double.compare(orderable(scores[a]), orderable(scores[b]));
        if (c == 0 && tiebreak != null) {
            c = Double.compare(orderable(tiebreak[a]), orderable(tiebreak[b]));
        }
        return c;
    }

    private static double orderable(float x) {
        return Float.isNaN(x) ? Double.NEGATIVE_INFINITY : x;
    }

    private static void count(double[] hits, int[] ks, int rank) {
        for (int j = 0; j < ks.length; j++) {
            if (rank < ks[j]) {
                hits[j]++;
            }
        }
    }

    private static int[][] captionsOf(int[] owners, int images) {
        int[] counts = new int[images];
        for (int t = 0; t < owners.length; t++) {
            if (owners[t] < 0 || owners[t] >= images) {
                throw new IllegalArgumentException("text " + t + " belongs to image " + owners[t]
                        + ", outside [0, " + images + ")");
            }
            counts[owners[t]]++;
        }
        int[][] out = new int[images][];
        for (int i = 0; i < images; i++) {
            out[i] = new int[counts[i]];
        }
        int[] fill = new int[images];
        for (int t = 0; t < owners.length; t++) {
            out[owners[t]][fill[owners[t]]++] = t;
        }
        return out;
    }

    private int index(int k) {
        for (int j = 0; j < ks.length; j++) {
            if (ks[j] == k) {
                return j;
            }
        }
        throw new IllegalArgumentException("recall was computed at k=" + Arrays.toString(ks) + ", not at " + k);
    }
}
