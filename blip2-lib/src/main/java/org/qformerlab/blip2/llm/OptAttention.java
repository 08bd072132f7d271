package org.qformerlab.blip2.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.qformerlab.blip2.nn.Autocast;
import org.qformerlab.blip2.nn.Dense;
import org.qformerlab.blip2.nn.KeyValue;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.Scalars;

/**
 * OPT's multi-head self-attention ({@code self_attn}): {@code q_proj}, {@code k_proj},
 * {@code v_proj}, then {@code softmax(q k^T / sqrt(d) + bias) v} per head and {@code out_proj}.
 * Keys and values of earlier positions may come from a cache; the new positions' keys and values
 * are returned so the caller can extend it.
 */
public final class OptAttention extends Module {

    private final int heads;
    private final int headSize;
    private final Dense q;
    private final Dense k;
    private final Dense v;
    private final Dense out;

    public OptAttention(int hidden, int heads) {
        this.heads = heads;
        this.headSize = hidden / heads;
        this.k = module("k_proj", new Dense(hidden, hidden));
        this.v = module("v_proj", new Dense(hidden, hidden));
        this.q = module("q_proj", new Dense(hidden, hidden));
        this.out = module("out_proj", new Dense(hidden, hidden));
    }

    /** The attention output [B, S, D] and the keys/values of all positions (past + new). */
    public record Output(NDArray hidden, KeyValue keysValues) {}

    /**
     * @param hidden [B, S, D]
     * @param bias additive [B, 1, S, past + S]
     * @param past cached keys/values of earlier positions, or null
     */
    public Output forward(NDArray hidden, NDArray bias, KeyValue past) {
        KeyValue kv = new KeyValue(splitHeads(k.forward(hidden)), splitHeads(v.forward(hidden)));
        if (past != null) {
            kv = past.concat(kv);
        }
        NDArray query = splitHeads(Scalars.times(q.forward(hidden), 1.0 / Math.sqrt(headSize)));
        // the products in the autocast's compute type; the bias and the softmax in float32
        NDArray scores = Autocast.full(Autocast.compute(query).matMul(Autocast.compute(kv.keys()).transpose(0, 1, 3, 2)))
                .addi(bias);
        NDArray context = Autocast.compute(scores.softmax(-1)).matMul(Autocast.compute(kv.values()));
        Shape s = hidden.getShape();
        NDArray merged = context.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(1), (long) heads * headSize);
        return new Output(out.forward(merged), kv);
    }

    private NDArray splitHeads(NDArray x) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, headSize).transpose(0, 2, 1, 3);
    }
}
