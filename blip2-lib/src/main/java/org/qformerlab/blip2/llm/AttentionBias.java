package org.qformerlab.blip2.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/** Additive attention biases of the language models: 0 where attending is allowed, a huge negative elsewhere. */
final class AttentionBias {

    /** exp of it is exactly 0 in float32, and adding it to a score never overflows. */
    static final float BLOCKED = -1e9f;

    private AttentionBias() {}

    /** Keys that are padding are blocked: [B, 1, 1, L] from a mask [B, L] (1 = real). */
    static NDArray padding(NDArray mask) {
        long b = mask.getShape().get(0);
        long l = mask.getShape().get(1);
        return mask.toType(DataType.FLOAT32, false).reshape(b, 1, 1, l).sub(1f).mul(-BLOCKED);
    }

    /**
     * Causal and padding: new position i (absolute {@code past + i}) may attend to key j when
     * {@code j <= past + i} and key j is not padding. [B, 1, S, past + S]
     */
    static NDArray causal(NDArray mask, int past, int s) {
        NDManager m = mask.getManager();
        long b = mask.getShape().get(0);
        long total = mask.getShape().get(1);
        NDArray keys = m.arange(0L, total, 1L, DataType.INT64).reshape(1, total);
        NDArray rows = m.arange((long) past, (long) past + s, 1L, DataType.INT64).reshape(s, 1);
        NDArray causal = keys.lte(rows).toType(DataType.FLOAT32, false).reshape(1, 1, s, total);
        NDArray notPadding = mask.toType(DataType.FLOAT32, false).reshape(b, 1, 1, total);
        return causal.mul(notPadding).sub(1f).mul(-BLOCKED);
    }
}
