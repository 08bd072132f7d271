package org.qformerlab.blip2.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.UniformInitializer;

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
        this(in, out, withBias, BERT_STD);
    }

    /** Weights normal(0, {@code std}) (BERT's {@code initializer_range}), bias zero. */
    public Dense(int in, int out, boolean withBias, double std) {
        this(in, out, new NormalInitializer((float) std), withBias ? Initializer.ZEROS : null);
    }

    private Dense(int in, int out, Initializer weightInit, Initializer biasInit) {
        this.in = in;
        this.out = out;
        this.weight = parameter("weight", new Shape(out, in), weightInit);
        this.bias = biasInit == null ? null : parameter("bias", new Shape(out), biasInit);
    }

    /** BERT's {@code initializer_range}: the standard deviation of its weight initialisation. */
    public static final double BERT_STD = 0.02;

    /**
     * PyTorch's own {@code nn.Linear} initialisation: weight and bias uniform in
     * {@code [-1/sqrt(in), 1/sqrt(in)]}. LAVIS builds BLIP-2's heads ({@code vision_proj},
     * {@code text_proj}, {@code itm_head}) as plain {@code nn.Linear} outside BERT, so they keep it
     * rather than BERT's normal(0, 0.02). At BERT-base's width the two are about the same size; at a
     * width of 128 the uniform one is 2.5 times larger.
     */
    public static Dense linearDefault(int in, int out) {
        Initializer uniform = new UniformInitializer((float) (1 / Math.sqrt(in)));
        return new Dense(in, out, uniform, uniform);
    }

    /** {@code x W^T + b}; under an {@link Autocast}, in its compute type. */
    public NDArray forward(NDArray x) {
        NDArray in = Autocast.compute(x);
        return in.getNDArrayInternal()
                .linear(in, Autocast.compute(value(weight)), bias == null ? null : Autocast.compute(value(bias)))
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
