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

    public FeedForward(int hidden, int intermediate) {
        this.dense = module("dense", new Dense(hidden, intermediate));
    }

    public NDArray forward(NDArray x) {
        return dense.forward(x).getNDArrayInternal().gelu(); // exact (erf) GELU, as BERT
    }
}
