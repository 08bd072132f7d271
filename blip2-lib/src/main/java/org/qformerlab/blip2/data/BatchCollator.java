package org.qformerlab.blip2.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns samples and texts into DJL tensors: images with {@link ImageTensors}, texts with a
 * {@link WordTokenizer} at a fixed length. All arrays are created in the manager the caller
 * passes, so one manager scope per step frees everything.
 */
public final class BatchCollator {

    private final WordTokenizer tokenizer;
    private final int maxTextLength;
    private final boolean addCls;

    /**
     * @param maxTextLength T, the padded length of every text
     * @param addCls        whether texts start with {@code [CLS]} (the Q-Former's convention)
     */
    public BatchCollator(WordTokenizer tokenizer, int maxTextLength, boolean addCls) {
        if (maxTextLength < 1) {
            throw new IllegalArgumentException("maxTextLength must be >= 1, got " + maxTextLength);
        }
        this.tokenizer = tokenizer;
        this.maxTextLength = maxTextLength;
        this.addCls = addCls;
    }

    /** The training batch: images, one caption per image, and the sample ids. */
    public ImageTextBatch collate(NDManager manager, SampledBatch batch) {
        NDArray images = images(manager, batch.samples());
        TextTensors texts = texts(manager, batch.captions());
        return new ImageTextBatch(images, texts.ids(), texts.mask(), batch.sampleIds());
    }

    /** The samples' images as one {@code [B, 3, H, W]} float32 array. */
    public NDArray images(NDManager manager, List<Sample> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples to collate");
        }
        List<BufferedImage> images = new ArrayList<>(samples.size());
        for (Sample s : samples) {
            images.add(s.image());
        }
        BufferedImage first = images.get(0);
        float[] pixels = ImageTensors.pixels(images);
        return manager.create(pixels, new Shape(samples.size(), 3, first.getHeight(), first.getWidth()));
    }

    /** The texts as {@code [N, T]} int64 ids and mask. */
    public TextTensors texts(NDManager manager, List<String> texts) {
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("no texts to collate");
        }
        BatchEncoding encoded = tokenizer.encodeAll(texts, maxTextLength, addCls);
        Shape shape = new Shape(texts.size(), maxTextLength);
        return new TextTensors(manager.create(encoded.flatIds(), shape), manager.create(encoded.flatMask(), shape));
    }

    /** T, the padded text length. */
    public int maxTextLength() {
        return maxTextLength;
    }
}
