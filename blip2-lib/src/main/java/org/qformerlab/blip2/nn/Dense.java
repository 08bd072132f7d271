package org.qformerlab.blip2.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;

/** A fully connected layer {@code y = x W^T + b}, W of shape [out, in] as in PyTorch's Linear. */
public final class Dense extends Module {

    private final int in;
    private final int out;
    private final ai.djl.nn.Parameter weight;
    private final ai.djl.nn.Parameter bias;

    /** BERT's initialisation: weights normal(0, 0.02), bias zero. */
    public Dense(int in, int out) {
        this(in, out, true);
    }

    public Dense(int in, int out, boolean withBias) {
        this.in = in;
        this.out = out;
        this.weight = parameter("weight", new Shape(out, in), new NormalInitializer(0.02f));
        this.bias = withBias ? parameter("bias", new Shape(out), Initializer.ZEROS) : null;
    }

    public NDArray forward(NDArray x) {
        return x.getNDArrayInternal()
                .linear(x, value(weight), bias == null ? null : value(bias))
                .singletonOrThrow();
    }

    public NDArray weight() {
        return value(weight);
    }

    public NDArray bias() {
        return bias == null ? null : value(bias);
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }
}
