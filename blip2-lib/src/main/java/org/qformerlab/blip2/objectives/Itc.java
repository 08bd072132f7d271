package org.qformerlab.blip2.objectives;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Image-text contrastive learning (ITC). Each image is Q query embeddings, each text one [CLS]
 * embedding; their similarity is the best match over the queries,
 * {@code sim(i, t) = max_q cos(vision_proj(query_q(i)), text_proj(cls(t))) / temp}. The loss is
 * the symmetric cross-entropy over the in-batch pairs, with label smoothing, whose targets are the
 * diagonal (image i belongs with text i).
 */
public final class Itc {

    private Itc() {}

    /** Image-to-text and text-to-image similarity matrices [B, B], already divided by temp. */
    public record Similarities(NDArray imageToText, NDArray textToImage) {}

    /**
     * @param imageFeats normalised query projections [B, Q, E]
     * @param textFeat normalised [CLS] projections [B, E]
     * @param temperature scalar
     */
    public static Similarities similarities(NDArray imageFeats, NDArray textFeat, NDArray temperature) {
        Shape s = imageFeats.getShape();
        long b = s.get(0);
        long q = s.get(1);
        long texts = textFeat.getShape().get(0);
        // [B*Q, E] x [E, Bt] -> [B, Q, Bt] -> best query per (image, text)
        NDArray perQuery = imageFeats.reshape(b * q, s.get(2)).matMul(textFeat.transpose()).reshape(b, q, texts);
        NDArray i2t = perQuery.max(new int[] {1}).div(temperature);
        return new Similarities(i2t, i2t.transpose());
    }

    /** The symmetric contrastive loss over the diagonal targets. */
    public static NDArray loss(Similarities sim, double labelSmoothing) {
        long b = sim.imageToText().getShape().get(0);
        NDManager m = sim.imageToText().getManager();
        NDArray targets = m.arange(0L, b, 1L, DataType.INT64);
        NDArray i2t = CrossEntropy.loss(sim.imageToText(), targets, labelSmoothing, null);
        NDArray t2i = CrossEntropy.loss(sim.textToImage(), targets, labelSmoothing, null);
        return i2t.add(t2i).div(2f);
    }
}
