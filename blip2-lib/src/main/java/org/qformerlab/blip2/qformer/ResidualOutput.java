package org.qformerlab.blip2.qformer;

import ai.djl.ndarray.NDArray;
import org.qformerlab.blip2.nn.Dense;
import org.qformerlab.blip2.nn.Dropout;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.Norm;

/**
 * BERT's post-LN residual step ({@code BertSelfOutput} / {@code BertOutput}):
 * {@code LayerNorm(dropout(dense(x)) + residual)}.
 */
public final class ResidualOutput extends Module {

    private final Dense dense;
    private final Norm layerNorm;
    private final float dropout;

    /** {@code std}: the dense weights' initial standard deviation ({@code initializer_range}). */
    public ResidualOutput(int in, int hidden, double eps, double hiddenDropout, double std) {
        this.dense = module("dense", new Dense(in, hidden, true, std));
        this.layerNorm = module("LayerNorm", new Norm(hidden, eps));
        this.dropout = (float) hiddenDropout;
    }

    public NDArray forward(NDArray x, NDArray residual, boolean training) {
        NDArray h = Dropout.apply(dense.forward(x), dropout, training);
        return layerNorm.forward(h.addi(residual));
    }
}
