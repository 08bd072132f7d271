package org.qformerlab.blip2.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/** Layer normalisation over the last axis, with PyTorch's parameter names (weight, bias). */
public final class Norm extends Module {

    private final int size;
    private final float eps;
    private final ai.djl.nn.Parameter weight;
    private final ai.djl.nn.Parameter bias;

    public Norm(int size, double eps) {
        this.size = size;
        this.eps = (float) eps;
        this.weight = parameter("weight", new Shape(size), Initializer.ONES);
        this.bias = parameter("bias", new Shape(size), Initializer.ZEROS);
    }

    /** Normalises {@code x}; always in float32, also under an {@link Autocast} (its output is float32). */
    public NDArray forward(NDArray x) {
        NDArray in = Autocast.full(x);
        return in.getNDArrayInternal()
                .layerNorm(in, new Shape(size), value(weight), value(bias), eps)
                .singletonOrThrow();
    }
}
