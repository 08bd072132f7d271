package org.qformerlab.blip2.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/**
 * Root-mean-square normalisation over the last axis (T5's {@code T5LayerNorm}):
 * {@code x / sqrt(mean(x^2) + eps) * weight}, no mean subtraction and no bias.
 */
public final class RmsNorm extends Module {

    private final float eps;
    private final ai.djl.nn.Parameter weight;

    public RmsNorm(int size, double eps) {
        this.eps = (float) eps;
        this.weight = parameter("weight", new Shape(size), Initializer.ONES);
    }

    /** Normalises {@code x}; always in float32, also under an {@link Autocast}. */
    public NDArray forward(NDArray input) {
        NDArray x = Autocast.full(input);
        NDArray rms = x.square().mean(new int[] {-1}, true).add(eps).sqrt();
        return x.div(rms).mul(value(weight));
    }
}
