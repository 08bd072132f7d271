package org.qformerlab.blip2.objectives;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.qformerlab.blip2.qformer.AttentionMask;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.qformer.EncoderOutput;
import org.qformerlab.blip2.qformer.ImageContext;

/**
 * Image-text matching (ITM): a binary classifier over (image, text) pairs. Queries and text run
 * together under the bi-directional mask, so every query sees the whole text while it attends to
 * the image; the match logit is {@code itm_head} averaged over the query positions. The batch is
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
        NDManager m = textIds.getManager();
        long b = textIds.getShape().get(0);
        int q = model.config().numQueries();
        int t = (int) textIds.getShape().get(1);
        NDArray own = m.arange(0L, b, 1L, DataType.INT64);

        NDArray imageRows = own.concat(negatives.imageForText()).concat(own);
        NDArray idsAll = textIds.concat(textIds).concat(textIds.get(negatives.textForImage()));
        NDArray maskAll = textMask.concat(textMask).concat(textMask.get(negatives.textForImage()));

        NDArray bias = AttentionMask.bidirectional(q, t).bias(m, maskAll);
        EncoderOutput out =
                model.encoder().forward(model.queries(m, 3 * b), idsAll, bias, image.rows(imageRows), null, training);
        NDArray logits = model.itmHead().forward(out.queries()).mean(new int[] {1});
        NDArray labels = m.ones(new ai.djl.ndarray.types.Shape(b), DataType.INT64)
                .concat(m.zeros(new ai.djl.ndarray.types.Shape(2 * b), DataType.INT64));
        return new Result(out.hidden(), logits, CrossEntropy.loss(logits, labels, 0, null));
    }
}
