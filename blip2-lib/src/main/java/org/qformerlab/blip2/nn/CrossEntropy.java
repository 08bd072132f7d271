package org.qformerlab.blip2.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Cross-entropy with PyTorch's label smoothing: for smoothing e and C classes,
 * {@code loss = (1 - e) * -log p[y] + e * mean_k(-log p[k])}, averaged over the rows that count.
 */
public final class CrossEntropy {

    private CrossEntropy() {}

    /**
     * @param logits [N, C]
     * @param labels int64 [N]
     * @param smoothing label smoothing e in [0, 1)
     * @param valid float [N] with 1 for rows that count and 0 for ignored ones (like
     *     {@code ignore_index}), or null when all count
     * @return the mean loss, a scalar
     */
    public static NDArray loss(NDArray logits, NDArray labels, double smoothing, NDArray valid) {
        int classes = (int) logits.getShape().get(1);
        NDArray logp = Autocast.full(logits).logSoftmax(1); // float32 also under an autocast
        NDArray oneHot = labels.oneHot(classes, DataType.FLOAT32);
        NDArray nll = logp.mul(oneHot).sum(new int[] {1}).neg();
        NDArray perRow = nll;
        if (smoothing > 0) {
            NDArray uniform = logp.mean(new int[] {1}).neg();
            perRow = Scalars.times(nll, 1 - smoothing).add(Scalars.times(uniform, smoothing));
        }
        if (valid == null) {
            return perRow.mean();
        }
        return perRow.mul(valid).sum().div(valid.sum().maximum(1f));
    }
}
