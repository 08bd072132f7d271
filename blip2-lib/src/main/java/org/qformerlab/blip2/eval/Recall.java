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
 * <p>How candidates are ranked (ties, NaN) is {@link Ranks}'s.
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
     * @see Ranks#of
     */
    public static Recall of(float[][] scores, float[][] tiebreak, int[] owners, int[] ks) {
        return of(Ranks.of(scores, tiebreak, owners), ks);
    }

    /** Recall at each of {@code ks} from the ranks of the best true matches. */
    public static Recall of(Ranks ranks, int[] ks) {
        return new Recall(ks.clone(), fractionBelow(ranks.imageToText(), ks), fractionBelow(ranks.textToImage(), ks));
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
        int texts = owners.length;
        int[][] captionsOf = Ranks.captionsOf(owners, images);
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

    private int index(int k) {
        for (int j = 0; j < ks.length; j++) {
            if (ks[j] == k) {
                return j;
            }
        }
        throw new IllegalArgumentException("recall was computed at k=" + Arrays.toString(ks) + ", not at " + k);
    }
}
