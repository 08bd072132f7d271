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
 * <p>Or, with a truth matrix ({@link #ofTruth}), what is true rather than what was written: a hit is
 * any caption true of the image, any image the caption is true of. In the shapes world most captions
 * ("one red shape", "three shapes") are true of several images, and counting only a caption's own
 * image marks a right answer wrong.
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

    /**
     * Both directions, a hit being any candidate the truth matrix marks: {@code truth[image][text]} is
     * true when the text is true of the image (by the scene, {@link org.qformerlab.blip2.data.CaptionTruth}),
     * not only when it was written for it. Every image needs a true text and every text a true image.
     *
     * @param scores {@code [images][texts]}
     * @param tiebreak {@code [images][texts]} or null
     */
    public static Ranks ofTruth(float[][] scores, float[][] tiebreak, boolean[][] truth) {
        return new Ranks(imageToText(scores, tiebreak, truth), textToImage(scores, tiebreak, truth));
    }

    /** Per image, the rank of its best own caption among all texts (arguments as {@link #of}). */
    public static int[] imageToText(float[][] scores, float[][] tiebreak, int[] owners) {
        checkedCaptionsOf(scores, owners);
        return imageToText(scores, tiebreak, ownership(owners, scores.length));
    }

    /** Per text, the rank of its own image among all images (arguments as {@link #of}). */
    public static int[] textToImage(float[][] scores, float[][] tiebreak, int[] owners) {
        checkedCaptionsOf(scores, owners);
        return textToImage(scores, tiebreak, ownership(owners, scores.length));
    }

    /** Per image, the rank of its best true text among all texts (arguments as {@link #ofTruth}). */
    public static int[] imageToText(float[][] scores, float[][] tiebreak, boolean[][] truth) {
        checkShapes(scores, truth);
        int[] ranks = new int[scores.length];
        for (int i = 0; i < scores.length; i++) {
            if (count(truth[i]) == 0) {
                throw new IllegalArgumentException("image " + i + " has no caption: image->text recall is undefined");
            }
            ranks[i] = rank(scores[i], tiebreak == null ? null : tiebreak[i], truth[i]);
        }
        return ranks;
    }

    /** Per text, the rank of its best true image among all images (arguments as {@link #ofTruth}). */
    public static int[] textToImage(float[][] scores, float[][] tiebreak, boolean[][] truth) {
        checkShapes(scores, truth);
        int images = scores.length;
        int texts = images == 0 ? 0 : scores[0].length;
        int[] ranks = new int[texts];
        float[] column = new float[images];
        float[] tieColumn = tiebreak == null ? null : new float[images];
        boolean[] positive = new boolean[images];
        for (int t = 0; t < texts; t++) {
            for (int i = 0; i < images; i++) {
                column[i] = scores[i][t];
                positive[i] = truth[i][t];
                if (tieColumn != null) {
                    tieColumn[i] = tiebreak[i][t];
                }
            }
            if (count(positive) == 0) {
                throw new IllegalArgumentException("text " + t + " is true of no image: text->image recall is undefined");
            }
            ranks[t] = rank(column, tieColumn, positive);
        }
        return ranks;
    }

    /** {@code [images][texts]}: true where the text was written for the image. */
    public static boolean[][] ownership(int[] owners, int images) {
        int[][] captionsOf = captionsOf(owners, images);
        boolean[][] out = new boolean[images][owners.length];
        for (int i = 0; i < images; i++) {
            for (int t : captionsOf[i]) {
                out[i][t] = true;
            }
        }
        return out;
    }

    private static void checkShapes(float[][] scores, boolean[][] truth) {
        if (truth.length != scores.length) {
            throw new IllegalArgumentException("scores have " + scores.length + " images but the truth matrix "
                    + truth.length);
        }
        for (int i = 0; i < scores.length; i++) {
            if (scores[i].length != truth[i].length || scores[i].length != scores[0].length) {
                throw new IllegalArgumentException("image " + i + " has " + scores[i].length + " scores but "
                        + truth[i].length + " truth values (and row 0 has " + scores[0].length + " scores)");
            }
        }
    }

    static int count(boolean[] xs) {
        int n = 0;
        for (boolean x : xs) {
            n += x ? 1 : 0;
        }
        return n;
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
    static int rank(float[] scores, float[] tiebreak, boolean[] positive) {
        int best = -1;
        for (int p = 0; p < scores.length; p++) {
            if (positive[p] && (best < 0 || compare(scores, tiebreak, p, best) > 0)) {
                best = p;
            }
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
