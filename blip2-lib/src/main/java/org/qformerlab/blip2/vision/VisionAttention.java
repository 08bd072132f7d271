package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import org.qformerlab.blip2.nn.Autocast;
import org.qformerlab.blip2.nn.Dense;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.Scalars;

/**
 * Multi-head self-attention of the ViT (Hugging Face {@code Blip2Attention}, from EVA/BEiT): one
 * fused projection {@code qkv} [3D, D] without bias of its own; instead a learned {@code q_bias} and
 * {@code v_bias} [D] and a key bias fixed at zero (a key bias adds the same amount to every score of
 * a query and so cannot change the softmax). Then {@code softmax(Q K^T / sqrt(d)) V} per head and the
 * output {@code projection}.
 */
public final class VisionAttention extends Module {

    private final int width;
    private final int heads;
    private final int headSize;
    private final Dense qkv;
    private final Parameter qBias;
    private final Parameter vBias;
    private final Dense projection;

    public VisionAttention(int width, int heads) {
        this.width = width;
        this.heads = heads;
        this.headSize = width / heads;
        this.qkv = module("qkv", new Dense(width, 3 * width, false));
        this.qBias = parameter("q_bias", new Shape(width), Initializer.ZEROS);
        this.vBias = parameter("v_bias", new Shape(width), Initializer.ZEROS);
        this.projection = module("projection", new Dense(width, width));
    }

    /** x [B, S, D] -> [B, S, D]. */
    public NDArray forward(NDArray x) {
        Shape s = x.getShape();
        NDArray zeros = x.getManager().zeros(new Shape(width), x.getDataType());
        NDArray bias = NDArrays.concat(new NDList(value(qBias), zeros, value(vBias))); // [q_bias ; 0 ; v_bias]
        bias.attach(x.getManager()); // one op on parameters: its result joins the step's scope
        NDArray in = Autocast.compute(x);
        NDArray mixed = in.getNDArrayInternal()
                .linear(in, Autocast.compute(qkv.weight()), Autocast.compute(bias)).singletonOrThrow();
        NDArray qkvHeads = mixed.reshape(s.get(0), s.get(1), 3, heads, headSize).transpose(2, 0, 3, 1, 4); // 3 B h S d
        NDArray queries = qkvHeads.get(0);
        NDArray keys = qkvHeads.get(1);
        NDArray values = qkvHeads.get(2);
        NDArray scores = Autocast.full(queries.matMul(keys.transpose(0, 1, 3, 2))); // softmax in float32
        NDArray probs = Scalars.times(scores, 1.0 / Math.sqrt(headSize)).softmax(-1);
        NDArray context = Autocast.compute(probs).matMul(values).transpose(0, 2, 1, 3).reshape(s.get(0), s.get(1), width);
        return projection.forward(context);
    }
}
