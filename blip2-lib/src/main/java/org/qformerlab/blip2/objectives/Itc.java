package org.qformerlab.blip2.objectives;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.qformerlab.blip2.nn.Autocast;
import org.qformerlab.blip2.nn.CrossEntropy;
import org.qformerlab.blip2.nn.Scalars;
import org.qformerlab.blip2.qformer.AttentionMask;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.qformer.EncoderOutput;
import org.qformerlab.blip2.qformer.ImageContext;

/**
 * Image-text contrastive learning (ITC). Each image is Q query embeddings, each text one [CLS]
 * embedding; their similarity is the best match over the queries,
 * {@code sim(i, t) = max_q cos(vision_proj(query_q(i)), text_proj(cls(t))) / temp}. The loss is
 * the symmetric cross-entropy over the in-batch pairs, with label smoothing, whose targets are the
 * diagonal (image i belongs with text i).
 */
public final class Itc {

    private Itc() {}

    /** The query pass (queries alone, cross-attending to the image) and its normalised projections [B, Q, E]. */
    public record ImageEmbedding(EncoderOutput queryPass, NDArray feats) {}

    /** Runs the queries alone over the image and projects them: ITC's image side. */
    public static ImageEmbedding embedImage(
            Blip2QFormer model, NDManager scope, ImageContext image, long batch, boolean training) {
        return embedImage(model, scope, image, batch, null, training);
    }

    /**
     * As {@link #embedImage(Blip2QFormer, NDManager, ImageContext, long, boolean)}, the queries
     * attending to each other under {@code queryBias} ([1, 1, Q, Q], or null: every query sees every query).
     */
    public static ImageEmbedding embedImage(
            Blip2QFormer model, NDManager scope, ImageContext image, long batch, NDArray queryBias, boolean training) {
        EncoderOutput pass = model.encoder().forward(model.queries(scope, batch), null, queryBias, image, null, training);
        return new ImageEmbedding(pass, normalize(model.visionProj().forward(pass.hidden())));
    }

    /** The text pass: text alone (padding masked); returns its hidden states [B, T, H]. */
    public static NDArray encodeText(Blip2QFormer model, NDArray textIds, NDArray textMask, boolean training) {
        return encodeTextUnder(model, textIds, AttentionMask.paddingBias(textMask), training);
    }

    /**
     * The text pass under {@code textBias}: a mask's text block combined with padding
     * ({@link AttentionMask#textBias}, [B, 1, T, T] or [B, 1, 1, T]); returns [B, T, H].
     */
    public static NDArray encodeTextUnder(Blip2QFormer model, NDArray textIds, NDArray textBias, boolean training) {
        return model.encoder().forward(null, textIds, textBias, null, null, training).hidden();
    }

    /** ITC's text side: the normalised projection of the [CLS] state [B, E]. */
    public static NDArray textFeatures(Blip2QFormer model, NDArray textHidden) {
        return normalize(model.textProj().forward(textHidden.get(new NDIndex(":, 0, :"))));
    }

    /** {@code x / max(||x||, 1e-12)} over the last axis, as {@code F.normalize}. */
    public static NDArray normalize(NDArray x) {
        int last = x.getShape().dimension() - 1;
        NDArray norm = Scalars.atLeast(x.square().sum(new int[] {last}, true).sqrt(), 1e-12);
        return x.div(norm);
    }

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
        NDArray perQuery = Autocast.compute(imageFeats).reshape(b * q, s.get(2))
                .matMul(Autocast.compute(textFeat).transpose()).reshape(b, q, texts);
        NDArray i2t = Autocast.full(perQuery.max(new int[] {1})).div(temperature); // logits in float32
        return new Similarities(i2t, i2t.transpose());
    }

    /** The symmetric contrastive loss over the diagonal targets. */
    public static NDArray loss(Similarities sim, double labelSmoothing) {
        long b = sim.imageToText().getShape().get(0);
        NDManager m = sim.imageToText().getManager();
        NDArray targets = m.arange(0L, b, 1L, DataType.INT64);
        NDArray i2t = CrossEntropy.loss(sim.imageToText(), targets, labelSmoothing, null);
        NDArray t2i = CrossEntropy.loss(sim.textToImage(), targets, labelSmoothing, null);
        return Scalars.dividedBy(i2t.add(t2i), 2);
    }
}
