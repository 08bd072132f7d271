package org.qformerlab.blip2.objectives;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.qformerlab.blip2.qformer.AttentionMask;

/**
 * BLIP-2's hard-negative mining for ITM: for each text, an image is drawn with probability
 * {@code softmax(sim(text, .))} with the positive masked out (its similarity set to -10000, as
 * LAVIS does), so images the model finds similar are drawn more often; likewise a text for each
 * image. All rows are drawn at once on the device by inverting the cumulative distribution with
 * one uniform number per row: no per-sample loop.
 *
 * <p>Batches must hold distinct images (the batch sampler guarantees it): the diagonal is the
 * positive. Other pairs that match as well (a caption also true of another image of the batch) are
 * drawn like any negative unless the caller marks them ({@code alsoTrue}).
 */
public final class HardNegativeSampler implements NegativeSampler {

    @Override
    public Negatives sample(Itc.Similarities sim, NDArray alsoTrue) {
        NDArray t2i = sim.textToImage().stopGradient();
        NDArray i2t = sim.imageToText().stopGradient();
        requireTwo(t2i);
        return new Negatives(draw(t2i, alsoTrue == null ? null : alsoTrue.transpose()), draw(i2t, alsoTrue));
    }

    static void requireTwo(NDArray scores) {
        long b = scores.getShape().get(0);
        if (b < 2) {
            throw new IllegalArgumentException(
                    "ITM needs at least 2 distinct images per batch to draw negatives; got a batch of "
                            + b + ": raise the batch size or set itmWeight to 0");
        }
    }

    /**
     * One index per row of {@code scores} [B, B], drawn from softmax(row) with the diagonal excluded,
     * and the columns {@code alsoTrue} marks in that row (null: none) unless that would leave the row
     * nothing to draw.
     */
    static NDArray draw(NDArray scores, NDArray alsoTrue) {
        NDManager m = scores.getManager();
        long b = scores.getShape().get(0);
        NDArray blocked = m.eye((int) b); // 1 = never drawn: the positive pair...
        if (alsoTrue != null) { // ...and the pairs that match as well, unless they are all a row has
            NDArray marked = alsoTrue.toType(blocked.getDataType(), false).mul(blocked.neg().add(1f));
            NDArray drawable = blocked.add(marked).neg().add(1f).sum(new int[] {1}, true);
            blocked = blocked.add(marked.mul(drawable.gt(0f).toType(blocked.getDataType(), false)));
        }
        NDArray masked = scores.mul(blocked.neg().add(1f)).add(blocked.mul(AttentionMask.BLOCKED));
        NDArray cdf = masked.softmax(1).cumSum(1);
        NDArray u = m.randomUniform(0f, 1f, new Shape(b, 1));
        NDArray index = cdf.lt(u).toType(DataType.INT64, false).sum(new int[] {1});
        return index.minimum(b - 1);
    }
}
