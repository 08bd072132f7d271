package org.qformerlab.blip2.data;

import ai.djl.ndarray.NDArray;

/**
 * A training batch as tensors, living in the caller's {@link ai.djl.ndarray.NDManager} (close that
 * manager after the step to free them).
 *
 * @param images    {@code [B, 3, H, W]} float32, normalised as in {@link ImageTensors}
 * @param textIds   {@code [B, T]} int64 token ids of one caption per image
 * @param textMask  {@code [B, T]} int64, 1 for real tokens, 0 for padding
 * @param sampleIds the sample id of each row
 */
public record ImageTextBatch(NDArray images, NDArray textIds, NDArray textMask, int[] sampleIds) {

    /** Batch size B. */
    public int size() {
        return sampleIds.length;
    }
}
