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
 * <p>That is LAVIS's protocol. With a truth matrix ({@link #ofTruth}) a hit is any caption true of
 * the image, any image the caption is true of; {@link #ceiling} is what a perfect scorer reaches
 * under the own-caption count.
 *
 * <p>How candidates are ranked (ties, NaN) is {@link Ranks}'s.
 *
 * @param ks the cut-offs, e.g. {1, 5, 10}
 * @param imageToText recall at each k, image -> text, in [0, 1]
 * @param textToImage recall at each k, text -> image, in [0, 1]
 * @param imageQueries how many image queries the image -> text recall averages over
 * @param textQueries how many text queries the text -> image recall averages over
 */
public record Recall(int[] ks, double[] imageToText, double[] textToImage, int imageQueries, int textQueries) {

    /** The usual cut-offs of retrieval papers. */
    public static final int[] STANDARD_KS = {1, 5, 10};

    /**
     * @param scores {@code [images][texts]}
     * @param tiebreak {@code [images][texts]} or null
     * @param owners for each text, the index of its image
     * @see Ranks#of
     */
    public static Recall of(float[][] scores, float[][] tiebreak, int[] owners, int[] ks) {
        return of(Ranks.of(scores, tiebreak, owners), ks);
    }

    /** Recall counting every true candidate a hit ({@link Ranks#ofTruth}). */
    public static Recall ofTruth(float[][] scores, float[][] tiebreak, boolean[][] truth, int[] ks) {
        return of(Ranks.ofTruth(scores, tiebreak, truth), ks);
    }

    /** Recall at each of {@code ks} from the ranks of the best true matches. */
    public static Recall of(Ranks ranks, int[] ks) {
        return new Recall(ks.clone(), fractionBelow(ranks.imageToText(), ks), fractionBelow(ranks.textToImage(), ks),
                ranks.imageToText().length, ranks.textToImage().length);
    }

    /** For each k, the fraction of ranks below k (ranks are 0-based: rank 0 is a hit at 1). */
    private static double[] fractionBelow(int[] ranks, int[] ks) {
        double[] out = new double[ks.length];
        for (int rank : ranks) {
            for (int j = 0; j < ks.length; j++) {
                if (rank < ks[j]) {
                    out[j]++;
                }
            }
        }
        for (int j = 0; j < ks.length; j++) {
            out[j] /= ranks.length;
        }
        return out;
    }

    /**
     * What a random ranking scores on average. Text -> image: {@code k / images}. Image -> text:
     * the chance that k texts drawn without replacement from all texts include at least one of the
     * image's c captions, {@code 1 - C(texts - c, k) / C(texts, k)}, averaged over images.
     */
    public static Recall chance(int[] owners, int images, int[] ks) {
        return chance(Ranks.ownership(owners, images), ks);
    }

    /**
     * What a random ranking scores on average when a hit is any true candidate: for a query with c
     * true candidates among n, {@code 1 - C(n - c, k) / C(n, k)}, averaged over the queries (images
     * for image->text, texts for text->image).
     *
     * @param truth {@code [images][texts]}, as {@link Ranks#ofTruth}
     */
    public static Recall chance(boolean[][] truth, int[] ks) {
        int images = truth.length;
        int texts = images == 0 ? 0 : truth[0].length;
        int[] perImage = rowCounts(truth);
        int[] perText = columnCounts(truth);
        double[] i2t = new double[ks.length];
        double[] t2i = new double[ks.length];
        for (int j = 0; j < ks.length; j++) {
            for (int c : perImage) {
                i2t[j] += hitChance(texts, c, ks[j]) / images;
            }
            for (int c : perText) {
                t2i[j] += hitChance(images, c, ks[j]) / texts;
            }
        }
        return new Recall(ks.clone(), i2t, t2i, images, texts);
    }

    /**
     * The own-caption recall of a perfect scorer: one that knows the scene, so it ranks every true
     * candidate above every false one, but not who wrote a caption. A caption true of D images was
     * written for any one of them alike, so text -> image it finds its own image with probability
     * {@code min(k, D) / D}; image -> text its best course is to rank an image's true captions by how
     * few images they are true of (a caption true of D images is the image's own with probability
     * 1/D), ties in random order. Own-caption recall cannot be expected to exceed this; truth-aware
     * recall's ceiling is 1.
     *
     * @param owners for each text, the index of its image
     * @param truth {@code [images][texts]}; must mark every text true of its own image
     */
    public static Recall ceiling(int[] owners, boolean[][] truth, int[] ks) {
        int images = truth.length;
        int[] truePerText = columnCounts(truth);
        for (int t = 0; t < owners.length; t++) {
            if (!truth[owners[t]][t]) {
                throw new IllegalArgumentException("text " + t + " is not marked true of its own image " + owners[t]
                        + ": the truth matrix must include every caption's own image");
            }
        }
        double[] i2t = new double[ks.length];
        double[] t2i = new double[ks.length];
        for (int j = 0; j < ks.length; j++) {
            for (int i = 0; i < images; i++) {
                i2t[j] += specificFirst(truth[i], truePerText, owners, i, ks[j]) / images;
            }
            for (int d : truePerText) {
                t2i[j] += hitChance(d, 1, ks[j]) / owners.length;
            }
        }
        return new Recall(ks.clone(), i2t, t2i, images, owners.length);
    }

    /**
     * The chance that image i's own caption is among the first k when its true captions go in order of
     * how many images each is true of, ties shuffled.
     */
    private static double specificFirst(boolean[] row, int[] truePerText, int[] owners, int image, int k) {
        java.util.TreeMap<Integer, int[]> groups = new java.util.TreeMap<>(); // D -> {captions, own}
        for (int t = 0; t < row.length; t++) {
            if (row[t]) {
                int[] g = groups.computeIfAbsent(truePerText[t], d -> new int[2]);
                g[0]++;
                g[1] += owners[t] == image ? 1 : 0;
            }
        }
        int left = k;
        for (int[] g : groups.values()) {
            if (g[0] <= left) {
                if (g[1] > 0) {
                    return 1;
                }
                left -= g[0];
            } else {
                return hitChance(g[0], g[1], left);
            }
        }
        return 0;
    }

    /** The sampling standard error of recall@1 in one direction, over this recall's own queries. */
    public double standardErrorAt1(boolean imageToText) {
        return standardError(new double[] {imageToText ? imageToText(1) : textToImage(1)},
                imageToText ? imageQueries : textQueries)[0];
    }

    /**
     * The sampling standard error of recall@k over {@code queries} independent queries,
     * {@code sqrt(r (1 - r) / n)}, per cut-off.
     */
    public static double[] standardError(double[] recall, int queries) {
        double[] out = new double[recall.length];
        for (int j = 0; j < recall.length; j++) {
            out[j] = Math.sqrt(recall[j] * (1 - recall[j]) / queries);
        }
        return out;
    }

    /**
     * The chance that k candidates drawn at random without replacement from n include at least one
     * of c positives: {@code 1 - C(n - c, k) / C(n, k)}, the product form
     * {@code 1 - prod_{r<k} (n - c - r) / (n - r)}.
     */
    static double hitChance(int n, int c, int k) {
        double miss = 1;
        for (int r = 0; r < Math.min(k, n); r++) {
            miss *= Math.max(0, n - c - r) / (double) (n - r);
        }
        return 1 - miss;
    }

    private static int[] rowCounts(boolean[][] m) {
        int[] out = new int[m.length];
        for (int i = 0; i < m.length; i++) {
            out[i] = Ranks.count(m[i]);
        }
        return out;
    }

    private static int[] columnCounts(boolean[][] m) {
        int[] out = new int[m.length == 0 ? 0 : m[0].length];
        for (boolean[] row : m) {
            for (int t = 0; t < out.length; t++) {
                out[t] += row[t] ? 1 : 0;
            }
        }
        return out;
    }

    /** Recall@k image -> text for one of {@link #ks()}. */
    public double imageToText(int k) {
        return imageToText[index(k)];
    }

    /** Recall@k text -> image for one of {@link #ks()}. */
    public double textToImage(int k) {
        return textToImage[index(k)];
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
