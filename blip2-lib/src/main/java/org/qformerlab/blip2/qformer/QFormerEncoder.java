package org.qformerlab.blip2.qformer;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.nn.KeyValue;
import org.qformerlab.blip2.nn.Module;

/**
 * The Q-Former's BERT ({@code Qformer.bert}): embeddings followed by L {@link QFormerLayer}s.
 * It runs queries only, text only, or both, under any {@link AttentionMask}.
 */
public final class QFormerEncoder extends Module {

    private final QFormerConfig config;
    private final QFormerEmbeddings embeddings;
    private final List<QFormerLayer> layers = new ArrayList<>();

    public QFormerEncoder(QFormerConfig c) {
        this.config = c;
        this.embeddings = module("embeddings", new QFormerEmbeddings(c));
        for (int i = 0; i < c.numLayers(); i++) {
            layers.add(module("encoder.layer." + i, new QFormerLayer(c, i)));
        }
    }

    public QFormerConfig config() {
        return config;
    }

    public QFormerEmbeddings embeddings() {
        return embeddings;
    }

    public List<QFormerLayer> layers() {
        return layers;
    }

    /**
     * Projects image features (after {@code ln_vision}) [B, P, Dv] to the keys and values of every
     * cross-attention layer, once; every pass of a training step then reuses them.
     */
    public ImageContext encodeImage(NDArray imageFeatures) {
        long width = imageFeatures.getShape().get(imageFeatures.getShape().dimension() - 1);
        if (imageFeatures.getShape().dimension() != 3 || width != config.visionWidth()) {
            throw new IllegalArgumentException(
                    "image features have shape " + imageFeatures.getShape()
                            + " but the Q-Former expects [batch, patches, visionWidth="
                            + config.visionWidth() + "]: set visionWidth to the image encoder's width ("
                            + width + ") or use a matching encoder");
        }
        List<KeyValue> kv = new ArrayList<>();
        for (QFormerLayer layer : layers) {
            kv.add(layer.hasCrossAttention() ? layer.imageKeysValues(imageFeatures) : null);
        }
        return new ImageContext(kv);
    }

    /**
     * Runs the encoder.
     *
     * @param queries query embeddings [B, Q, H] or null (text only)
     * @param textIds int64 [B, T] or null (queries only)
     * @param selfBias additive self-attention bias (see {@link AttentionMask#bias}) or null
     * @param image image keys/values from {@link #encodeImage}, or null (no cross-attention)
     * @param prefix per-layer keys/values of earlier positions (a query-pass cache), or null
     */
    public EncoderOutput forward(
            NDArray queries,
            NDArray textIds,
            NDArray selfBias,
            ImageContext image,
            List<KeyValue> prefix,
            boolean training) {
        if (queries == null && textIds == null) {
            throw new IllegalArgumentException("the Q-Former needs queries, text or both; got neither");
        }
        int numQueries = queries == null ? 0 : (int) queries.getShape().get(1);
        NDArray hidden = embeddings.forward(queries, textIds, training);
        List<KeyValue> cache = new ArrayList<>(layers.size());
        for (int i = 0; i < layers.size(); i++) {
            QFormerLayer.Output out =
                    layers.get(i)
                            .forward(
                                    hidden,
                                    numQueries,
                                    selfBias,
                                    prefix == null ? null : prefix.get(i),
                                    image == null ? null : image.layer(i),
                                    training);
            hidden = out.hidden();
            cache.add(out.selfKeysValues());
        }
        return new EncoderOutput(hidden, numQueries, cache);
    }
}
