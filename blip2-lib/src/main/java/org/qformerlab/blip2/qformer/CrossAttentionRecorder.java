package org.qformerlab.blip2.qformer;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the cross-attention weights of every Q-Former layer that has a cross-attention (every
 * {@code crossAttentionFreq}-th) from the passes run while it is open: which image patches each
 * query reads. The companion of {@link SelfAttentionRecorder}; the model computes exactly the same
 * outputs with or without it.
 *
 * <pre>{@code
 * try (CrossAttentionRecorder rec = CrossAttentionRecorder.attach(model.encoder())) {
 *     Itc.embedImage(model, scope, image, batch, false);
 *     NDArray first = rec.weights(0); // [B, heads, Q, patches] of layer rec.layerIndex(0)
 * }
 * }</pre>
 *
 * Each layer keeps the weights of its most recent pass; they belong to that pass's manager.
 */
public final class CrossAttentionRecorder implements AutoCloseable {

    private final List<MultiHeadAttention> watched = new ArrayList<>();
    private final int[] layerIndices;
    private final NDArray[] weights;

    private CrossAttentionRecorder(QFormerEncoder encoder) {
        List<QFormerLayer> layers = encoder.layers();
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).hasCrossAttention()) {
                indices.add(i);
            }
        }
        layerIndices = indices.stream().mapToInt(Integer::intValue).toArray();
        weights = new NDArray[layerIndices.length];
        for (int k = 0; k < layerIndices.length; k++) {
            int slot = k;
            MultiHeadAttention attention = layers.get(layerIndices[k]).crossAttention();
            attention.observe(w -> weights[slot] = w);
            watched.add(attention);
        }
    }

    /** Starts recording every cross-attention layer; close to stop. */
    public static CrossAttentionRecorder attach(QFormerEncoder encoder) {
        return new CrossAttentionRecorder(encoder);
    }

    /** How many layers cross-attend to the image. */
    public int layers() {
        return layerIndices.length;
    }

    /** The encoder layer index of the {@code k}-th cross-attention layer. */
    public int layerIndex(int k) {
        return layerIndices[k];
    }

    /**
     * The {@code k}-th cross-attention layer's weights from the latest pass [B, heads, Q, patches].
     *
     * @throws IllegalStateException if no pass with an image has run since this recorder was attached
     */
    public NDArray weights(int k) {
        if (weights[k] == null) {
            throw new IllegalStateException("layer " + layerIndices[k] + " has not attended to an image since the"
                    + " recorder was attached; run a pass with image features first");
        }
        return weights[k];
    }

    @Override
    public void close() {
        for (MultiHeadAttention attention : watched) {
            attention.observe(null);
        }
    }
}
