package org.qformerlab.blip2.llm;

import ai.djl.ndarray.NDArray;
import org.qformerlab.blip2.nn.Dense;
import org.qformerlab.blip2.nn.Dropout;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.Scalars;

/**
 * T5 v1.1's gated-GELU feed-forward block ({@code DenseReluDense}, named so for history):
 * {@code wo(dropout(gelu(wi_0 x) * wi_1 x))}, all without bias; the GELU is the tanh approximation
 * or the exact one as {@link T5Config#denseActFn()} says.
 */
public final class T5FeedForward extends Module {

    private final Dense wi0;
    private final Dense wi1;
    private final Dense wo;
    private final float dropout;
    private final boolean exactGelu;

    public T5FeedForward(T5Config c) {
        this.wi0 = module("wi_0", new Dense(c.dModel(), c.dFf(), false));
        this.wi1 = module("wi_1", new Dense(c.dModel(), c.dFf(), false));
        this.wo = module("wo", new Dense(c.dFf(), c.dModel(), false));
        this.dropout = (float) c.dropout();
        this.exactGelu = T5Config.GELU.equals(c.denseActFn());
    }

    public NDArray forward(NDArray x, boolean training) {
        NDArray gate = wi0.forward(x);
        NDArray gated = (exactGelu ? gate.getNDArrayInternal().gelu() : geluTanh(gate)).mul(wi1.forward(x));
        return wo.forward(Dropout.apply(gated, dropout, training));
    }

    /** GELU in its tanh approximation (Hugging Face's {@code gelu_new}), as T5 v1.1 was trained. */
    static NDArray geluTanh(NDArray x) {
        NDArray inner = Scalars.times(x.add(Scalars.times(Scalars.power(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
        return Scalars.times(x, 0.5).mul(inner.tanh().add(1f));
    }
}
