package org.qformerlab.blip2.qformer;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the self-attention weights of every Q-Former layer from the passes run while it is open:
 * what the queries and the text actually look at. For diagnosis and teaching; the model computes
 * exactly the same outputs with or without it.
 *
 * <pre>{@code
 * try (SelfAttentionRecorder rec = SelfAttentionRecorder.attach(model.encoder())) {
 *     Itm.score(model, scope, image, ids, mask, false);
 *     NDArray lastLayer = rec.weights(rec.layers() - 1); // [B, heads, Q+T, Q+T]
 * }
 * }</pre>
 *
 * Each layer keeps the weights of its most recent pass; they belong to that pass's manager.
 */
public final class SelfAttentionRecorder implements AutoCloseable {

    private final List<MultiHeadAttention> watched = new ArrayList<>();
    private final NDArray[] weights;

    private SelfAttentionRecorder(QFormerEncoder encoder) {
        List<QFormerLayer> layers = encoder.layers();
        weights = new NDArray[layers.size()];
        for (int i = 0; i < layers.size(); i++) {
            int layer = i;
            MultiHeadAttention attention = layers.get(i).selfAttention();
            attention.observe(w -> weights[layer] = w);
            watched.add(attention);
        }
    }

    /** Starts recording every layer's self-attention; close to stop. */
    public static SelfAttentionRecorder attach(QFormerEncoder encoder) {
        return new SelfAttentionRecorder(encoder);
    }

    public int layers() {
        return weights.length;
    }

    /**
     * Layer {@code i}'s attention weights from the latest pass [B, heads, rows, keys].
     *
     * @throws IllegalStateException if no pass has run since this recorder was attached
     */
    public NDArray weights(int i) {
        if (weights[i] == null) {
            throw new IllegalStateException("layer " + i + " has not attended since the recorder was attached; run a pass first");
        }
        return weights[i];
    }

    @Override
    public void close() {
        for (MultiHeadAttention attention : watched) {
            attention.observe(null);
        }
    }
}
