package org.qformerlab.blip2.qformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.nn.Autocast;
import org.qformerlab.blip2.nn.Dense;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.Norm;

/**
 * BERT's language-model head for ITG ({@code Qformer.cls.predictions}): a transform
 * ({@code gelu(dense)}, LayerNorm) then a decoder to the vocabulary whose weight is tied to the
 * word embeddings and whose bias is {@code predictions.bias}.
 */
public final class LmHead extends Module {

    private final Dense dense;
    private final Norm layerNorm;
    private final ai.djl.nn.Parameter bias;

    public LmHead(QFormerConfig c) {
        this.dense = module("transform.dense", new Dense(c.hiddenSize(), c.hiddenSize(), true, c.initializerRange()));
        this.layerNorm = module("transform.LayerNorm", new Norm(c.hiddenSize(), c.layerNormEps()));
        this.bias = parameter("bias", new Shape(c.vocabSize()), Initializer.ZEROS);
    }

    /** hidden [B, T, H] -> logits [B, T, V] with the tied decoder weight [V, H]. */
    public NDArray forward(NDArray hidden, NDArray wordEmbeddingWeight) {
        NDArray h = layerNorm.forward(dense.forward(hidden).getNDArrayInternal().gelu());
        NDArray in = Autocast.compute(h);
        return in.getNDArrayInternal()
                .linear(in, Autocast.compute(wordEmbeddingWeight), Autocast.compute(value(bias))).singletonOrThrow();
    }
}
