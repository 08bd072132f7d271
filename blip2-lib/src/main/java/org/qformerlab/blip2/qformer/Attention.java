package org.qformerlab.blip2.qformer;

import ai.djl.ndarray.NDArray;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.nn.KeyValue;
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

    /**
     * The shape of one attention sub-layer, by name: {@code Attention.Config.selfAttention(qformer)},
     * {@code Attention.Config.crossAttention(qformer)}, or any field changed with its wither.
     *
     * @param hidden width H of the positions that attend (queries, text)
     * @param keyValueWidth width of what they attend to: H for self-attention, Dv for cross-attention
     * @param heads attention heads; must divide H
     * @param layerNormEps epsilon of the residual LayerNorm
     * @param attentionDropout dropout on the attention probabilities
     * @param hiddenDropout dropout on the output before the residual
     * @param initializerRange the weights' initial standard deviation ({@code initializer_range})
     */
    public record Config(int hidden, int keyValueWidth, int heads, double layerNormEps, double attentionDropout,
            double hiddenDropout, double initializerRange) {

        public Config {
            ConfigException.require(hidden > 0 && keyValueWidth > 0, "Attention.Config: hidden=" + hidden
                    + " and keyValueWidth=" + keyValueWidth + " must be positive");
            ConfigException.require(heads > 0 && hidden % heads == 0, "Attention.Config: heads=" + heads
                    + " must divide hidden=" + hidden + " (each head gets hidden/heads dimensions)");
        }

        /** The self-attention over [queries ; text] of a Q-Former layer. */
        public static Config selfAttention(QFormerConfig c) {
            return new Config(c.hiddenSize(), c.hiddenSize(), c.numHeads(), c.layerNormEps(), c.attentionDropout(),
                    c.hiddenDropout(), c.initializerRange());
        }

        /** The queries' cross-attention to the image features of a Q-Former layer. */
        public static Config crossAttention(QFormerConfig c) {
            return selfAttention(c).withKeyValueWidth(c.visionWidth());
        }

        public Config withHidden(int v) {
            return new Config(v, keyValueWidth, heads, layerNormEps, attentionDropout, hiddenDropout, initializerRange);
        }

        public Config withKeyValueWidth(int v) {
            return new Config(hidden, v, heads, layerNormEps, attentionDropout, hiddenDropout, initializerRange);
        }

        public Config withHeads(int v) {
            return new Config(hidden, keyValueWidth, v, layerNormEps, attentionDropout, hiddenDropout, initializerRange);
        }

        public Config withLayerNormEps(double v) {
            return new Config(hidden, keyValueWidth, heads, v, attentionDropout, hiddenDropout, initializerRange);
        }

        public Config withAttentionDropout(double v) {
            return new Config(hidden, keyValueWidth, heads, layerNormEps, v, hiddenDropout, initializerRange);
        }

        public Config withHiddenDropout(double v) {
            return new Config(hidden, keyValueWidth, heads, layerNormEps, attentionDropout, v, initializerRange);
        }

        public Config withInitializerRange(double v) {
            return new Config(hidden, keyValueWidth, heads, layerNormEps, attentionDropout, hiddenDropout, v);
        }
    }

    public Attention(Config c) {
        this.self = module("self", new MultiHeadAttention(
                c.hidden(), c.keyValueWidth(), c.heads(), c.attentionDropout(), c.initializerRange()));
        this.output = module("output", new ResidualOutput(
                c.hidden(), c.hidden(), c.layerNormEps(), c.hiddenDropout(), c.initializerRange()));
    }

    public MultiHeadAttention self() {
        return self;
    }

    /** {@code output(self.attend(hidden -> kv), residual = hidden)}. */
    public NDArray forward(NDArray hidden, KeyValue kv, NDArray bias, boolean training) {
        return output.forward(self.attend(hidden, kv, bias, training), hidden, training);
    }
}
