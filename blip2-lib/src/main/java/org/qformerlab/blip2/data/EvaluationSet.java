package org.qformerlab.blip2.data;

import java.util.ArrayList;
import java.util.List;

/**
 * A split laid out for retrieval evaluation: every image once, in order, and every caption once,
 * in order, each caption knowing its image. Text-to-image retrieval scores a caption's hit when
 * its {@link CaptionEntry#imageIndex()} is ranked high; image-to-text when any caption of
 * {@link #captionIndices(int)} is. (In the shapes world's evaluation splits every sample has its
 * own scene, so "same sample" and "same scene" agree.)
 */
public final class EvaluationSet {

    private final List<Sample> images;
    private final List<CaptionEntry> captions;
    private final int[][] captionIndices;

    private EvaluationSet(List<Sample> images) {
        this.images = List.copyOf(images);
        List<CaptionEntry> entries = new ArrayList<>();
        this.captionIndices = new int[images.size()][];
        for (int i = 0; i < images.size(); i++) {
            Sample s = images.get(i);
            int[] own = new int[s.captions().size()];
            for (int c = 0; c < own.length; c++) {
                own[c] = entries.size();
                entries.add(new CaptionEntry(s.captions().get(c), s.id(), i));
            }
            captionIndices[i] = own;
        }
        this.captions = List.copyOf(entries);
    }

    /** The evaluation layout of the samples, in their given order. */
    public static EvaluationSet of(List<Sample> samples) {
        return new EvaluationSet(samples);
    }

    /** Every image (sample), in order. */
    public List<Sample> images() {
        return images;
    }

    /** Every caption with its owner, image by image. */
    public List<CaptionEntry> captions() {
        return captions;
    }

    /** Just the caption texts, in {@link #captions()} order. */
    public List<String> captionTexts() {
        return captions.stream().map(CaptionEntry::text).toList();
    }

    /** For each caption, the index of its image: the text-to-image ground truth. */
    public int[] captionOwners() {
        return captions.stream().mapToInt(CaptionEntry::imageIndex).toArray();
    }

    /** The indices (into {@link #captions()}) of image i's captions: the image-to-text ground truth. */
    public int[] captionIndices(int imageIndex) {
        return captionIndices[imageIndex].clone();
    }

    /** Consecutive chunks of at most {@code size} items, for evaluating in batches. */
    public static <T> List<List<T>> chunks(List<T> items, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("chunk size must be >= 1, got " + size);
        }
        List<List<T>> out = new ArrayList<>();
        for (int start = 0; start < items.size(); start += size) {
            out.add(items.subList(start, Math.min(items.size(), start + size)));
        }
        return out;
    }
}
