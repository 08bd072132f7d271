package org.qformerlab.blip2.objectives;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.qformerlab.blip2.config.MaskSpec;
import org.qformerlab.blip2.config.StandardMask;
import org.qformerlab.blip2.nn.CrossEntropy;
import org.qformerlab.blip2.nn.KeyValue;
import org.qformerlab.blip2.qformer.AttentionMask;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.qformer.EncoderOutput;
import org.qformerlab.blip2.qformer.ImageContext;

/**
 * Image-text matching (ITM): a binary classifier over (image, text) pairs. Queries and text run
 * together under ITM's mask ({@code objective.itmMask}; BLIP-2's is bi-directional, so every query sees
 * the whole text while it attends to the image); the match logit is {@code itm_head} averaged over the query positions. The batch is
 * 3B pairs: (text, its image) positive, (text, hard-negative image) and (hard-negative text, image)
 * negative.
 */
public final class Itm {

    private Itm() {}

    /** The ITM pass: its hidden states [3B, Q+T, H], logits [3B, 2] and loss. */
    public record Result(NDArray output, NDArray logits, NDArray loss) {}

    public static Result forward(
            Blip2QFormer model,
            ImageContext image,
            NDArray textIds,
            NDArray textMask,
            Negatives negatives,
            boolean training) {
        return forward(model, image, textIds, textMask, negatives, StandardMask.BIDIRECTIONAL, training);
    }

    /** As {@link #forward(Blip2QFormer, ImageContext, NDArray, NDArray, Negatives, boolean)} under {@code mask}. */
    public static Result forward(
            Blip2QFormer model,
            ImageContext image,
            NDArray textIds,
            NDArray textMask,
            Negatives negatives,
            MaskSpec mask,
            boolean training) {
        NDManager m = textIds.getManager();
        long b = textIds.getShape().get(0);
        NDArray own = m.arange(0L, b, 1L, DataType.INT64);

        NDArray imageRows = own.concat(negatives.imageForText()).concat(own);
        NDArray idsAll = textIds.concat(textIds).concat(textIds.get(negatives.textForImage()));
        NDArray maskAll = textMask.concat(textMask).concat(textMask.get(negatives.textForImage()));

        Scored scored = score(model, m, image.rows(imageRows), idsAll, maskAll, mask, training);
        NDArray logits = scored.logits();
        NDArray labels = m.ones(new ai.djl.ndarray.types.Shape(b), DataType.INT64)
                .concat(m.zeros(new ai.djl.ndarray.types.Shape(2 * b), DataType.INT64));
        return new Result(scored.hidden(), logits, CrossEntropy.loss(logits, labels, 0, null));
    }

    /** Hidden states [N, Q+T, H] and match logits [N, 2] of N (image, text) pairs. */
    public record Scored(NDArray hidden, NDArray logits) {}

    /**
     * Scores pairs: row r pairs image {@code image} row r with text row r; queries and text attend to
     * each other (bi-directional mask) and the logits are {@code itm_head} averaged over the queries.
     */
    public static Scored score(
            Blip2QFormer model, NDManager scope, ImageContext image, NDArray textIds, NDArray textMask, boolean training) {
        return score(model, scope, image, textIds, textMask, StandardMask.BIDIRECTIONAL, training);
    }

    /** As {@link #score(Blip2QFormer, NDManager, ImageContext, NDArray, NDArray, boolean)}, under {@code mask}. */
    public static Scored score(
            Blip2QFormer model, NDManager scope, ImageContext image, NDArray textIds, NDArray textMask, MaskSpec mask,
            boolean training) {
        int q = model.config().numQueries();
        int t = (int) textIds.getShape().get(1);
        NDArray bias = AttentionMask.of("ITM", mask, q, t).bias(scope, textMask);
        EncoderOutput out = model.encoder()
                .forward(model.queries(scope, textIds.getShape().get(0)), textIds, bias, image, null, training);
        for (KeyValue kv : out.cache()) { // no later pass attends to these pairs: free their keys/values now
            kv.keys().close();
            kv.values().close();
        }
        return new Scored(out.hidden(), model.itmHead().forward(out.queries()).mean(new int[] {1}));
    }
}
