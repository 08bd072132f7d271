package org.qformerlab.blip2.qformer;

import ai.djl.ndarray.NDArray;

/** Inverted dropout, active only while training. */
final class Dropout {
    private Dropout() {}

    static NDArray apply(NDArray x, float rate, boolean training) {
        if (!training || rate <= 0) {
            return x;
        }
        return x.getNDArrayInternal().dropout(x, rate, true).singletonOrThrow();
    }
}
