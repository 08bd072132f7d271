package org.qformerlab.blip2.eval;

/**
 * Where each query's best true match lands in a retrieval ranking, both directions, from a score
 * matrix {@code scores[image][text]} (higher = better match). Ranks are 0-based: the number of wrong
 * candidates ranked at or above the best true one, so rank 0 is a hit at 1. {@link Recall} counts
 * them against cut-offs; {@link McNemar} compares two rankings of the same queries one query at a
 * time.
 *
 * <ul>
 *   <li>image -> text: the rank of the best of the image's own captions (an image has several true
 *       captions, as in COCO);
 *   <li>text -> image: the rank of the text's own image.
 * </ul>
 *
 * <p>Candidates are ordered by {@code scores}, ties broken by an optional second matrix
 * ({@code tiebreak}; after ITM re-ranking, the ITC scores, so that candidates outside the re-ranked
 * top-k keep their ITC order behind the re-ranked ones). Candidates still tied with the best true
 * match count as ranked before it: a model that scores everything alike gets no hits by luck.
 * NaN scores rank last.
 *
 * @param imageToText per image
 * @param textToImage per text
 */
public record Ranks(int[] imageToText, int[] textToImage) {

    /**
     * Both directions; {@link #imageToText} and {@link #textToImage} give one each.
     *
     * @param scores {@code [images][texts]}
     * @param tiebreak {@code [images][texts]} or null
     * @param owners for each text, the index of its image
     */
    public static Ranks of(float[][] scores, float[][] tiebreak, int[] owners) {
        return new Ranks(imageToText(scores, tiebreak, owners), textToImage(scores, tiebreak, owners));
    }

    /** Per image, the rank of its best own caption among all texts (arguments as {@link #of}). */
    public static int[] imageToText(float[][] scores, float[][] tiebreak, int[] owners) {
        int[][] captionsOf = checkedCaptionsOf(scores, owners);
        int[] ranks = new int[scores.length];
        for (int i = 0; i < scores.length; i++) {
            if (captionsOf[i].length == 0) {
                throw new IllegalArgumentException("image " + i + " has no caption: image->text recall is undefined");
            }
            ranks[i] = rank(scores[i], tiebreak == null ? null : tiebreak[i], captionsOf[i]);
        }
        return ranks;
    }

    /** Per text, the rank of its own image among all images (arguments as {@link #of}). */
    public static int[] textToImage(float[][] scores, float[][] tiebreak, int[] owners) {
        checkedCaptionsOf(scores, owners);
        int images = scores.length;
        int[] ranks = new int[owners.length];
        float[] column = new float[images];
        float[] tieColumn = tiebreak == null ? null : new float[images];
        for (int t = 0; t < owners.length; t++) {
            for (int i = 0; i < images; i++) {
                column[i] = scores[i][t];
                if (tieColumn != null) {
                    tieColumn[i] = tiebreak[i][t];
                }
            }
            ranks[t] = rank(column, tieColumn, new int[] {owners[t]});
        }
        return ranks;
    }

    /** {@link #captionsOf} after checking that every row of {@code scores} has one score per text. */
    private static int[][] checkedCaptionsOf(float[][] scores, int[] owners) {
        for (float[] row : scores) {
            if (row.length != owners.length) {
                throw new IllegalArgumentException("scores have rows of " + row.length + " texts but there are "
                        + owners.length + " text owners");
            }
        }
        return captionsOf(owners, scores.length);
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

    /** For each image, the indices of its texts; every owner must be an image index. */
    static int[][] captionsOf(int[] owners, int images) {
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
}
