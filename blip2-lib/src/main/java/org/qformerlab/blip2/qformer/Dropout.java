package org.qformerlab.blip2.qformer;

import ai.djl.ndarray.NDArray;

/** Inverted dropout, active only while training. */
public final class Dropout {
    private Dropout() {}

    public static NDArray apply(NDArray x, float rate, boolean training) {
        if (!training || rate <= 0) {
            return x;
        }
        return x.getNDArrayInternal().dropout(x, rate, true).singletonOrThrow();
    }
}
