package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The frozen image encoder's features, looked up by sample id: from a feature cache (computed once,
 * read every step) or by running the encoder. Arrays are created in the caller's scope.
 */
public interface ImageFeatures {

    /** Features [n, patches, width] of the given samples, in order. */
    NDArray get(NDManager scope, int[] sampleIds);

    /** Width Dv of one feature vector. */
    int width();
}
