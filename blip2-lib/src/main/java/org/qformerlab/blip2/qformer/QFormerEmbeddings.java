package org.qformerlab.blip2.qformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.nn.Dropout;
import org.qformerlab.blip2.nn.Embedding;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.Norm;

/**
 * Input embeddings ({@code Qformer.bert.embeddings}): text tokens become word + position
 * embeddings (positions count from 0 within the text); the learned queries are put in front; both
 * streams then share one LayerNorm and dropout.
 */
public final class QFormerEmbeddings extends Module {

    private final QFormerConfig config;
    private final Embedding wordEmbeddings;
    private final Embedding positionEmbeddings;
    private final Norm layerNorm;

    public QFormerEmbeddings(QFormerConfig c) {
        this.config = c;
        this.wordEmbeddings = module("word_embeddings", new Embedding(c.vocabSize(), c.hiddenSize(), c.initializerRange()));
        this.positionEmbeddings =
                module("position_embeddings", new Embedding(c.maxTextLength(), c.hiddenSize(), c.initializerRange()));
        this.layerNorm = module("LayerNorm", new Norm(c.hiddenSize(), c.layerNormEps()));
    }

    /** The word embedding table [V, H] (the ITG decoder is tied to it). */
    public NDArray wordEmbeddingWeight() {
        return wordEmbeddings.weight();
    }

    /** queries [B, Q, H] or null; textIds int64 [B, T] or null. Returns [B, Q + T, H]. */
    public NDArray forward(NDArray queries, NDArray textIds, boolean training) {
        NDArray x = queries;
        if (textIds != null) {
            long t = textIds.getShape().get(1);
            if (t > config.maxTextLength()) {
                throw new IllegalArgumentException(
                        "text has " + t + " tokens but the position table has maxTextLength="
                                + config.maxTextLength() + " rows: truncate the text or raise maxTextLength");
            }
            NDManager m = textIds.getManager();
            NDArray positions = m.arange(0L, t, 1L, ai.djl.ndarray.types.DataType.INT64);
            NDArray text = wordEmbeddings.forward(textIds).addi(positionEmbeddings.forward(positions));
            x = x == null ? text : x.concat(text, 1);
        }
        return Dropout.apply(layerNorm.forward(x), (float) config.hiddenDropout(), training);
    }
}
