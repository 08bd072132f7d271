package org.qformerlab.blip2.qformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.function.Consumer;
import org.qformerlab.blip2.nn.Autocast;
import org.qformerlab.blip2.nn.Dense;
import org.qformerlab.blip2.nn.Dropout;
import org.qformerlab.blip2.nn.KeyValue;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.Scalars;

/**
 * Scaled dot-product attention with several heads (BERT's {@code BertSelfAttention}, named
 * {@code self} in LAVIS): {@code softmax(Q K^T / sqrt(d) + bias) V} per head. Used for
 * self-attention (keys from the same sequence) and cross-attention (keys from image features of
 * width {@code keyValueWidth}).
 */
public final class MultiHeadAttention extends Module {

    private final int heads;
    private final int headSize;
    private final float dropout;
    private final Dense query;
    private final Dense key;
    private final Dense value;
    private Consumer<NDArray> observer; // null: nobody is watching (the normal case)

    /** With BERT's initialisation, normal(0, 0.02). */
    public MultiHeadAttention(int hidden, int keyValueWidth, int heads, double attentionDropout) {
        this(hidden, keyValueWidth, heads, attentionDropout, Dense.BERT_STD);
    }

    /** With the projections' weights drawn from normal(0, {@code std}). */
    public MultiHeadAttention(int hidden, int keyValueWidth, int heads, double attentionDropout, double std) {
        this.heads = heads;
        this.headSize = hidden / heads;
        this.dropout = (float) attentionDropout;
        this.query = module("query", new Dense(hidden, hidden, true, std));
        this.key = module("key", new Dense(keyValueWidth, hidden, true, std));
        this.value = module("value", new Dense(keyValueWidth, hidden, true, std));
    }

    /**
     * Shows every later {@link #attend}'s attention weights [B, heads, S, keys] (after the softmax,
     * before dropout) to {@code observer}; null stops. For diagnosis ({@link SelfAttentionRecorder});
     * the arrays belong to the pass's manager and must not be kept beyond it.
     */
    void observe(Consumer<NDArray> observer) {
        this.observer = observer;
    }

    /** Projects a sequence [B, S, width] to keys and values [B, heads, S, headSize]. */
    public KeyValue keysValues(NDArray x) {
        return new KeyValue(splitHeads(key.forward(x)), splitHeads(value.forward(x)));
    }

    /**
     * Attends from {@code hidden} [B, S, H] to {@code kv}; {@code bias} is additive and broadcast
     * to [B, heads, S, keys] (null = nothing blocked). Returns [B, S, H].
     */
    public NDArray attend(NDArray hidden, KeyValue kv, NDArray bias, boolean training) {
        // 1/sqrt(d) scales the queries [B, S, H] rather than the scores [B, h, S, keys]: the same
        // product, on the smaller array (forward and backward)
        NDArray q = splitHeads(Scalars.times(query.forward(hidden), 1.0 / Math.sqrt(headSize)));
        // the product in the autocast's compute type; the mask and the softmax in float32
        NDArray scores = Autocast.full(Autocast.compute(q).matMul(Autocast.compute(kv.keys()).transpose(0, 1, 3, 2)));
        if (bias != null) {
            scores = scores.addi(bias);
        }
        NDArray probs = scores.softmax(-1);
        if (observer != null) {
            NDScope.unregister(probs); // the observer reads them after the layer has returned
            observer.accept(probs);
        }
        if (training && dropout > 0) {
            probs = Dropout.apply(probs, dropout, true);
        }
        NDArray context = Autocast.compute(probs).matMul(Autocast.compute(kv.values())); // [B, h, S, d]
        Shape s = hidden.getShape();
        return context.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(1), (long) heads * headSize);
    }

    private NDArray splitHeads(NDArray x) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, headSize).transpose(0, 2, 1, 3);
    }
}
