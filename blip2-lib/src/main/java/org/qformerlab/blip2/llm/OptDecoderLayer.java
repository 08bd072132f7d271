package org.qformerlab.blip2.llm;

import ai.djl.ndarray.NDArray;
import org.qformerlab.blip2.nn.Dense;
import org.qformerlab.blip2.nn.Dropout;
import org.qformerlab.blip2.nn.KeyValue;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.Norm;

/**
 * One OPT decoder layer ({@code model.decoder.layers.N}), pre-LN:
 *
 * <pre>
 *   h = h + dropout(self_attn(self_attn_layer_norm(h)))      causal, padding-masked
 *   h = h + dropout(fc2(relu(fc1(final_layer_norm(h)))))
 * </pre>
 *
 * (OPT-350m normalises after each residual instead: {@link OptConfig#layerNormBefore()} false.)
 */
public final class OptDecoderLayer extends Module {

    private final OptConfig config;
    private final OptAttention selfAttn;
    private final Norm selfAttnLayerNorm;
    private final Dense fc1;
    private final Dense fc2;
    private final Norm finalLayerNorm;

    public OptDecoderLayer(OptConfig c) {
        this.config = c;
        this.selfAttn = module("self_attn", new OptAttention(c.hiddenSize(), c.numHeads()));
        this.selfAttnLayerNorm = module("self_attn_layer_norm", new Norm(c.hiddenSize(), c.layerNormEps()));
        this.fc1 = module("fc1", new Dense(c.hiddenSize(), c.ffnDim()));
        this.fc2 = module("fc2", new Dense(c.ffnDim(), c.hiddenSize()));
        this.finalLayerNorm = module("final_layer_norm", new Norm(c.hiddenSize(), c.layerNormEps()));
    }

    /** The layer's output [B, S, D] and its self-attention keys/values (past + new). */
    public record Output(NDArray hidden, KeyValue keysValues) {}

    public Output forward(NDArray hidden, NDArray bias, KeyValue past, boolean training) {
        boolean pre = config.layerNormBefore();
        float drop = (float) config.dropout();
        NDArray x = pre ? selfAttnLayerNorm.forward(hidden) : hidden;
        OptAttention.Output attn = selfAttn.forward(x, bias, past);
        NDArray h = hidden.add(Dropout.apply(attn.hidden(), drop, training));
        if (!pre) {
            h = selfAttnLayerNorm.forward(h);
        }
        x = pre ? finalLayerNorm.forward(h) : h;
        NDArray ff = fc2.forward(fc1.forward(x).getNDArrayInternal().relu());
        h = h.add(Dropout.apply(ff, drop, training));
        if (!pre) {
            h = finalLayerNorm.forward(h);
        }
        return new Output(h, attn.keysValues());
    }
}
