package org.qformerlab.blip2.objectives;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import org.qformerlab.blip2.nn.Autocast;
import org.qformerlab.blip2.nn.CrossEntropy;
import org.qformerlab.blip2.qformer.AttentionMask;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.qformer.EncoderOutput;
import org.qformerlab.blip2.qformer.ImageContext;

/**
 * Image-grounded text generation (ITG): the Q-Former as a causal language model over the text,
 * conditioned on the queries. The first token is replaced by [DEC]; text token i attends to every
 * query and to text tokens up to i (the multimodal causal mask); the loss is next-token
 * cross-entropy with label smoothing, padding ignored.
 *
 * <p>Queries only attend to queries under this mask, so their states equal those of the
 * query-only pass. As in LAVIS, the text attends to that pass's cached keys/values rather than
 * running the queries again: the same function, less compute. A mask under which queries see text
 * ({@code objective.itgMask}) has no such shortcut: {@link #forwardJoint} runs queries and text
 * together.
 */
public final class Itg {

    private Itg() {}

    /** The ITG pass: next-token logits [B, T, V] and the loss. */
    public record Result(NDArray logits, NDArray loss) {}

    /**
     * @param queryPass the query-only pass of this batch (its cache holds the queries' keys/values)
     */
    public static Result forward(
            Blip2QFormer model,
            EncoderOutput queryPass,
            NDArray textIds,
            NDArray textMask,
            double labelSmoothing,
            boolean training) {
        int t = (int) textIds.getShape().get(1);
        return forward(model, queryPass, textIds, textMask,
                AttentionMask.multimodalCausal(queryPass.numQueries(), t), labelSmoothing, training);
    }

    /**
     * Under {@code mask}, whose queries must see no text (the query pass knows none), and whose
     * queries' block must be the one the query pass ran under.
     */
    public static Result forward(
            Blip2QFormer model,
            EncoderOutput queryPass,
            NDArray textIds,
            NDArray textMask,
            AttentionMask mask,
            double labelSmoothing,
            boolean training) {
        int q = queryPass.numQueries();
        int t = (int) textIds.getShape().get(1);
        if (!mask.allowsNone(0, q, q, q + t)) {
            throw new IllegalArgumentException("mask '" + mask.name() + "' lets queries see text: the query-only pass"
                    + " cannot stand for them; use Itg.forwardJoint");
        }
        NDArray decoderIds = decoderIds(model, textIds);
        NDArray bias = mask.bias(textIds.getManager(), textMask, q, q + t);
        EncoderOutput text = model.encoder().forward(null, decoderIds, bias, null, queryPass.cache(), training);
        return loss(model, decoderIds, text.hidden(), labelSmoothing);
    }

    /** ITG under any mask: queries and text run together, the queries cross-attending to the image. */
    public static Result forwardJoint(
            Blip2QFormer model,
            NDManager scope,
            ImageContext image,
            NDArray textIds,
            NDArray textMask,
            AttentionMask mask,
            double labelSmoothing,
            boolean training) {
        NDArray decoderIds = decoderIds(model, textIds);
        EncoderOutput joint = model.encoder().forward(model.queries(scope, textIds.getShape().get(0)), decoderIds,
                mask.bias(scope, textMask), image, null, training);
        return loss(model, decoderIds, joint.text(), labelSmoothing);
    }

    /** The text with its first token replaced by [DEC]. */
    private static NDArray decoderIds(Blip2QFormer model, NDArray textIds) {
        long b = textIds.getShape().get(0);
        return textIds.getManager().full(new ai.djl.ndarray.types.Shape(b, 1), model.config().decTokenId(), DataType.INT64)
                .concat(textIds.get(new NDIndex(":, 1:")), 1);
    }

    /** Next-token logits of the text's hidden states [B, T, H], and the loss. */
    private static Result loss(Blip2QFormer model, NDArray decoderIds, NDArray textHidden, double labelSmoothing) {
        var cfg = model.config();
        long b = decoderIds.getShape().get(0);
        long t = decoderIds.getShape().get(1);
        NDArray logits = model.qformer().lmLogits(textHidden);

        // position i predicts token i + 1; padding is not predicted
        long v = logits.getShape().get(2);
        NDArray predictions = logits.get(new NDIndex(":, :-1")).reshape(b * (t - 1), v);
        NDArray labels = decoderIds.get(new NDIndex(":, 1:")).reshape(b * (t - 1));
        NDArray valid = labels.neq(cfg.padTokenId()).toType(DataType.FLOAT32, false);
        return new Result(logits, CrossEntropy.loss(predictions, labels, labelSmoothing, valid));
    }

    /**
     * How likely the Q-Former's LM head finds each text given its image's queries: the sum over the
     * text's tokens (after [DEC], padding excluded) of {@code log p(token | queries, earlier tokens)},
     * without label smoothing. Row r of the text is read against row r of the query pass.
     *
     * @return float32 [B]
     */
    public static NDArray logLikelihood(Blip2QFormer model, EncoderOutput queryPass, NDArray textIds, NDArray textMask) {
        NDManager m = textIds.getManager();
        long b = textIds.getShape().get(0);
        int t = (int) textIds.getShape().get(1);
        int q = queryPass.numQueries();
        var cfg = model.config();
        NDArray decoderIds = m.full(new ai.djl.ndarray.types.Shape(b, 1), cfg.decTokenId(), DataType.INT64)
                .concat(textIds.get(new NDIndex(":, 1:")), 1);
        NDArray bias = AttentionMask.multimodalCausal(q, t).bias(m, textMask, q, q + t);
        EncoderOutput text = model.encoder().forward(null, decoderIds, bias, null, queryPass.cache(), false);
        NDArray logits = model.qformer().lmLogits(text.hidden());
        int v = (int) logits.getShape().get(2);
        NDArray logp = Autocast.full(logits.get(new NDIndex(":, :-1"))).logSoftmax(2); // float32 under an autocast too
        NDArray labels = decoderIds.get(new NDIndex(":, 1:"));
        NDArray valid = labels.neq(cfg.padTokenId()).toType(DataType.FLOAT32, false);
        return logp.mul(labels.oneHot(v, DataType.FLOAT32)).sum(new int[] {2}).mul(valid).sum(new int[] {1});
    }
}
