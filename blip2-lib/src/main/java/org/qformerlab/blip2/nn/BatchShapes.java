package org.qformerlab.blip2.nn;

import ai.djl.ndarray.NDArray;

/**
 * The input check both stages make before a forward pass: image features [batch, patches, width], text
 * ids and mask both [batch, textLength], one text per image. Failing, it names the shapes it got and
 * what they must be, instead of a broadcast error from deep inside the engine.
 */
public final class BatchShapes {

    private BatchShapes() {
    }

    /** Throws {@link IllegalArgumentException} unless the image features and the text batch fit each other. */
    public static void requireImageTextBatch(NDArray image, NDArray ids, NDArray mask) {
        if (image.getShape().dimension() != 3) {
            throw new IllegalArgumentException(
                    "image features must be [batch, patches, width]; got shape " + image.getShape());
        }
        if (ids.getShape().dimension() != 2 || !ids.getShape().equals(mask.getShape())) {
            throw new IllegalArgumentException("text ids " + ids.getShape() + " and text mask " + mask.getShape()
                    + " must both be [batch, textLength]");
        }
        if (ids.getShape().get(0) != image.getShape().get(0)) {
            throw new IllegalArgumentException("batch sizes differ: " + image.getShape().get(0) + " images but "
                    + ids.getShape().get(0) + " texts; pair every image with one text");
        }
    }
}
