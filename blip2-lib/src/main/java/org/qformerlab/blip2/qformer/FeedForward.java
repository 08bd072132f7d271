package org.qformerlab.blip2.qformer;

import ai.djl.ndarray.NDArray;
import org.qformerlab.blip2.nn.Dense;
import org.qformerlab.blip2.nn.Module;

/**
 * The first half of BERT's feed-forward block ({@code BertIntermediate}): {@code gelu(dense(x))}
 * from H to the intermediate width. Its second half is a {@link ResidualOutput}. The Q-Former has
 * two such pairs per layer: one for query positions ({@code intermediate_query},
 * {@code output_query}) and one for text positions ({@code intermediate}, {@code output}).
 */
public final class FeedForward extends Module {

    private final Dense dense;

    /** With BERT's initialisation, normal(0, 0.02). */
    public FeedForward(int hidden, int intermediate) {
        this(hidden, intermediate, Dense.BERT_STD);
    }

    /** With the weights drawn from normal(0, {@code std}). */
    public FeedForward(int hidden, int intermediate, double std) {
        this.dense = module("dense", new Dense(hidden, intermediate, true, std));
    }

    public NDArray forward(NDArray x) {
        return dense.forward(x).getNDArrayInternal().gelu(); // exact (erf) GELU, as BERT
    }
}
