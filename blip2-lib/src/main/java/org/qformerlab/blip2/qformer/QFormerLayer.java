package org.qformerlab.blip2.qformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.nn.KeyValue;
import org.qformerlab.blip2.nn.Module;

/**
 * One Q-Former layer ({@code Qformer.bert.encoder.layer.N}).
 *
 * <ol>
 *   <li>Self-attention over the whole sequence [queries ; text], shared by both streams; the
 *       attention mask decides who sees whom.
 *   <li>In every {@code crossAttentionFreq}-th layer, the query positions (only they) attend to
 *       the image features.
 *   <li>Separate feed-forward blocks: query positions through {@code intermediate_query} /
 *       {@code output_query}, text positions through {@code intermediate} / {@code output}.
 * </ol>
 */
public final class QFormerLayer extends Module {

    private final Attention attention;
    private final Attention crossattention; // null when this layer has no cross-attention
    private final FeedForward intermediate;
    private final ResidualOutput output;
    private final FeedForward intermediateQuery;
    private final ResidualOutput outputQuery;

    public QFormerLayer(QFormerConfig c, int index) {
        int h = c.hiddenSize();
        double eps = c.layerNormEps();
        double std = c.initializerRange();
        this.attention = module("attention", new Attention(Attention.Config.selfAttention(c)));
        this.crossattention = c.hasCrossAttention(index)
                ? module("crossattention", new Attention(Attention.Config.crossAttention(c)))
                : null;
        this.intermediate = module("intermediate", new FeedForward(h, c.intermediateSize(), std));
        this.output = module("output", new ResidualOutput(c.intermediateSize(), h, eps, c.hiddenDropout(), std));
        this.intermediateQuery = module("intermediate_query", new FeedForward(h, c.intermediateSize(), std));
        this.outputQuery =
                module("output_query", new ResidualOutput(c.intermediateSize(), h, eps, c.hiddenDropout(), std));
    }

    /** The self-attention's heads (shared by queries and text). */
    public MultiHeadAttention selfAttention() {
        return attention.self();
    }

    /** The cross-attention's heads (queries over the image features), or null when this layer has none. */
    public MultiHeadAttention crossAttention() {
        return crossattention == null ? null : crossattention.self();
    }

    public boolean hasCrossAttention() {
        return crossattention != null;
    }

    /** Projects image features [B, P, Dv] to this layer's cross-attention keys and values. */
    public KeyValue imageKeysValues(NDArray imageFeatures) {
        return crossattention.self().keysValues(imageFeatures);
    }

    /** What one layer returns: the new hidden states and this pass's self-attention keys/values. */
    public record Output(NDArray hidden, KeyValue selfKeysValues) {}

    /**
     * @param hidden [B, S, H]; its first {@code numQueries} positions are queries (0 = text only)
     * @param selfBias additive self-attention bias [B, 1, S, prefix + S] or null
     * @param prefix keys/values of earlier positions to attend to before these (ITG reuses the
     *     query pass here), or null
     * @param image this layer's image keys/values, or null (then no cross-attention happens)
     */
    public Output forward(
            NDArray hidden, int numQueries, NDArray selfBias, KeyValue prefix, KeyValue image, boolean training) {
        // Every array made in the layer is closed when it returns, but the two it returns: autograd
        // keeps what the backward pass needs by itself, the rest (projections before the heads are
        // split, scores before the softmax, outputs before dropout...) is freed now, not at the end
        // of the step. The values computed are the same.
        try (NDScope layer = new NDScope()) {
            Output out = compute(hidden, numQueries, selfBias, prefix, image, training);
            NDScope.unregister(out.hidden(), out.selfKeysValues().keys(), out.selfKeysValues().values());
            return out;
        }
    }

    private Output compute(
            NDArray hidden, int numQueries, NDArray selfBias, KeyValue prefix, KeyValue image, boolean training) {
        KeyValue own = attention.self().keysValues(hidden);
        KeyValue kv = prefix == null ? own : prefix.concat(own);
        NDArray attended = attention.forward(hidden, kv, selfBias, training);

        long seq = hidden.getShape().get(1);
        if (numQueries == 0) {
            return new Output(textFeedForward(attended, training), own);
        }
        NDArray queries = numQueries == seq ? attended : attended.get(new NDIndex(":, :{}", numQueries));
        if (crossattention != null && image != null) {
            queries = crossattention.forward(queries, image, null, training);
        }
        NDArray out = outputQuery.forward(intermediateQuery.forward(queries), queries, training);
        if (numQueries < seq) {
            NDArray text = attended.get(new NDIndex(":, {}:", numQueries));
            out = out.concat(textFeedForward(text, training), 1);
        }
        return new Output(out, own);
    }

    private NDArray textFeedForward(NDArray text, boolean training) {
        return output.forward(intermediate.forward(text), text, training);
    }
}
