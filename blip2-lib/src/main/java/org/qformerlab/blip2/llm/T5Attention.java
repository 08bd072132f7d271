package org.qformerlab.blip2.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.qformerlab.blip2.nn.Autocast;
import org.qformerlab.blip2.nn.Dense;
import org.qformerlab.blip2.nn.Embedding;
import org.qformerlab.blip2.nn.KeyValue;
import org.qformerlab.blip2.nn.Module;

/**
 * T5's attention ({@code SelfAttention} / {@code EncDecAttention}): bias-free projections
 * {@code q, k, v, o}, {@code softmax(q k^T + bias) v} with no 1/sqrt(d) scaling (T5 folds it into
 * the initialisation). The first block's self-attention also owns {@code relative_attention_bias}:
 * one learned scalar per (distance bucket, head), added to the scores of every block.
 */
public final class T5Attention extends Module {

    private final T5Config config;
    private final int heads;
    private final int dKv;
    private final Dense q;
    private final Dense k;
    private final Dense v;
    private final Dense o;
    private final Embedding relativeBias; // null except in block 0's self-attention

    public T5Attention(T5Config c, boolean hasRelativeBias) {
        this.config = c;
        this.heads = c.numHeads();
        this.dKv = c.dKv();
        int inner = heads * dKv;
        this.q = module("q", new Dense(c.dModel(), inner, false));
        this.k = module("k", new Dense(c.dModel(), inner, false));
        this.v = module("v", new Dense(c.dModel(), inner, false));
        this.o = module("o", new Dense(inner, c.dModel(), false));
        this.relativeBias = hasRelativeBias
                ? module("relative_attention_bias", new Embedding(c.relativeAttentionNumBuckets(), heads))
                : null;
    }

    /** Keys and values of a sequence [B, S, dModel] (the encoder output, for cross-attention). */
    public KeyValue keysValues(NDArray x) {
        return new KeyValue(splitHeads(k.forward(x)), splitHeads(v.forward(x)));
    }

    /** The output [B, S, dModel] and the keys/values attended to. */
    public record Output(NDArray hidden, KeyValue keysValues) {}

    /**
     * @param kv keys/values to attend to; null = this sequence's own, appended to {@code past}
     * @param bias additive [B or 1, heads or 1, S, keys]
     */
    public Output forward(NDArray hidden, KeyValue kv, KeyValue past, NDArray bias) {
        if (kv == null) {
            kv = keysValues(hidden);
            if (past != null) {
                kv = past.concat(kv);
            }
        }
        // the products in the autocast's compute type; the position bias and the softmax in float32
        NDArray scores = Autocast.full(splitHeads(q.forward(hidden)).matMul(Autocast.compute(kv.keys()).transpose(0, 1, 3, 2)))
                .addi(bias);
        NDArray context = Autocast.compute(scores.softmax(-1)).matMul(Autocast.compute(kv.values()));
        Shape s = hidden.getShape();
        return new Output(o.forward(context.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(1), (long) heads * dKv)), kv);
    }

    /**
     * The learned position bias [1, heads, queries, keys] for query positions
     * {@code offset .. offset + queries - 1} against key positions {@code 0 .. keys - 1}.
     */
    public NDArray positionBias(NDManager manager, int queries, int keys, int offset, boolean bidirectional) {
        long[] buckets = new long[queries * keys];
        for (int i = 0; i < queries; i++) {
            for (int j = 0; j < keys; j++) {
                buckets[i * keys + j] = bucket(j - (offset + i), bidirectional,
                        config.relativeAttentionNumBuckets(), config.relativeAttentionMaxDistance());
            }
        }
        NDArray table = relativeBias.forward(manager.create(buckets, new Shape(queries, keys))); // [q, k, heads]
        return table.transpose(2, 0, 1).expandDims(0);
    }

    /**
     * T5's bucket of a relative position (key - query): exact buckets for small distances,
     * logarithmically wider ones up to maxDistance, separate halves for the two directions when
     * bidirectional (the encoder); the decoder only looks back.
     */
    static int bucket(int relative, boolean bidirectional, int numBuckets, int maxDistance) {
        int out = 0;
        int n = numBuckets;
        int distance;
        if (bidirectional) {
            n /= 2;
            out += relative > 0 ? n : 0;
            distance = Math.abs(relative);
        } else {
            distance = Math.max(-relative, 0);
        }
        int maxExact = n / 2;
        if (distance < maxExact) {
            return out + distance;
        }
        int large = maxExact + (int) (Math.log((double) distance / maxExact) / Math.log((double) maxDistance / maxExact)
                * (n - maxExact));
        return out + Math.min(large, n - 1);
    }

    private NDArray splitHeads(NDArray x) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, dKv).transpose(0, 2, 1, 3);
    }
}
