package org.qformerlab.blip2.llm;

import ai.djl.ndarray.NDArray;
import org.qformerlab.blip2.nn.Dropout;
import org.qformerlab.blip2.nn.KeyValue;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.RmsNorm;

/**
 * One T5 block ({@code encoder.block.N} / {@code decoder.block.N}), pre-norm residual sub-layers:
 *
 * <pre>
 *   layer.0  h = h + dropout(SelfAttention(layer_norm(h)))          (decoder: causal)
 *   layer.1  h = h + dropout(EncDecAttention(layer_norm(h), enc))   (decoder only)
 *   last     h = h + dropout(DenseReluDense(layer_norm(h)))
 * </pre>
 */
public final class T5Block extends Module {

    /** A residual sub-layer: an RMS norm ({@code layer_norm}) in front of an attention or a feed-forward block. */
    static final class SubLayer extends Module {
        private final RmsNorm norm;
        private final T5Attention attention;
        private final T5FeedForward feedForward;

        SubLayer(T5Config c, String name, T5Attention attention, T5FeedForward feedForward) {
            this.attention = attention == null ? null : module(name, attention);
            this.feedForward = feedForward == null ? null : module(name, feedForward);
            this.norm = module("layer_norm", new RmsNorm(c.dModel(), c.layerNormEps()));
        }
    }

    private final T5Config config;
    private final SubLayer self;
    private final SubLayer cross; // decoder only
    private final SubLayer ff;

    public T5Block(T5Config c, boolean decoder, boolean hasRelativeBias) {
        this.config = c;
        this.self = module("layer.0", new SubLayer(c, "SelfAttention", new T5Attention(c, hasRelativeBias), null));
        this.cross = decoder ? module("layer.1", new SubLayer(c, "EncDecAttention", new T5Attention(c, false), null)) : null;
        this.ff = module(decoder ? "layer.2" : "layer.1", new SubLayer(c, "DenseReluDense", null, new T5FeedForward(c)));
    }

    /** The self-attention (block 0's owns the relative position bias). */
    public T5Attention selfAttention() {
        return self.attention;
    }

    /** Keys/values of the encoder output for this block's cross-attention. */
    KeyValue crossKeysValues(NDArray encoderHidden) {
        return cross.attention.keysValues(encoderHidden);
    }

    /** The block's output and its self-attention keys/values (past + new). */
    public record Output(NDArray hidden, KeyValue keysValues) {}

    Output forward(NDArray h, NDArray selfBias, KeyValue past, KeyValue crossKv, NDArray crossBias, boolean training) {
        float drop = (float) config.dropout();
        T5Attention.Output a = self.attention.forward(self.norm.forward(h), null, past, selfBias);
        h = h.add(Dropout.apply(a.hidden(), drop, training));
        if (cross != null) {
            T5Attention.Output c = cross.attention.forward(cross.norm.forward(h), crossKv, null, crossBias);
            h = h.add(Dropout.apply(c.hidden(), drop, training));
        }
        h = h.add(Dropout.apply(ff.feedForward.forward(ff.norm.forward(h), training), drop, training));
        return new Output(h, a.keysValues());
    }
}
