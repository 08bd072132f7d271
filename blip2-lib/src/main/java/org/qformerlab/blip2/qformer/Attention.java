package org.qformerlab.blip2.qformer;

import ai.djl.ndarray.NDArray;
import org.qformerlab.blip2.nn.Module;

/**
 * One attention sub-layer as BERT writes it ({@code BertAttention}): multi-head attention
 * ({@code self}) followed by the residual output ({@code output}). A Q-Former layer has one for
 * self-attention ({@code attention}) and, every k-th layer, one for cross-attention to the image
 * ({@code crossattention}).
 */
public final class Attention extends Module {

    private final MultiHeadAttention self;
    private final ResidualOutput output;

    /** {@code std}: the weights' initial standard deviation ({@code initializer_range}). */
    public Attention(
            int hidden, int keyValueWidth, int heads, double eps, double attnDrop, double hiddenDrop, double std) {
        this.self = module("self", new MultiHeadAttention(hidden, keyValueWidth, heads, attnDrop, std));
        this.output = module("output", new ResidualOutput(hidden, hidden, eps, hiddenDrop, std));
    }

    public MultiHeadAttention self() {
        return self;
    }

    /** {@code output(self.attend(hidden -> kv), residual = hidden)}. */
    public NDArray forward(NDArray hidden, KeyValue kv, NDArray bias, boolean training) {
        return output.forward(self.attend(hidden, kv, bias, training), hidden, training);
    }
}
