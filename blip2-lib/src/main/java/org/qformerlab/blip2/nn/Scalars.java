package org.qformerlab.blip2.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic between an array and a Java number, safe inside back-propagation. Every forward pass
 * uses these instead of DJL's {@code x.mul(2f)}, {@code x.div(2f)}, {@code x.maximum(1e-12f)},
 * {@code x.pow(3)}.
 *
 * <p>Why: DJL's PyTorch engine turns the number into a scalar tensor whose memory is a Java direct
 * buffer ({@code torch::from_blob}: PyTorch does not own it), runs the operation, and closes that
 * scalar at once. Autograd keeps the scalar for the backward pass ({@code d(x*s)/dx = s}). When
 * the JVM later collects the buffer, the backward pass reads freed memory: gradients come out
 * slightly different from run to run, or NaN at a random step, while the losses stay finite. Here
 * the scalar is made by PyTorch itself ({@code torch::full}), so autograd holds a tensor that lives
 * as long as it needs it. Outside autograd (optimizer updates under {@link GradMode#off()}) the
 * plain DJL methods are fine: nothing keeps the scalar after the call.
 */
public final class Scalars {

    private Scalars() {}

    /** {@code x * s}. */
    public static NDArray times(NDArray x, double s) {
        try (NDArray c = scalar(x, s)) {
            return x.mul(c);
        }
    }

    /** {@code x / s}. */
    public static NDArray dividedBy(NDArray x, double s) {
        try (NDArray c = scalar(x, s)) {
            return x.div(c);
        }
    }

    /** {@code max(x, floor)} element-wise. */
    public static NDArray atLeast(NDArray x, double floor) {
        try (NDArray c = scalar(x, floor)) {
            return x.maximum(c);
        }
    }

    /** {@code x ^ p} element-wise. */
    public static NDArray power(NDArray x, double p) {
        try (NDArray c = scalar(x, p)) {
            return x.pow(c);
        }
    }

    /** A 0-d tensor of x's type on x's device, in memory PyTorch owns. */
    private static NDArray scalar(NDArray x, double v) {
        return x.getManager().full(new Shape(), (float) v, x.getDataType()).toDevice(x.getDevice(), false);
    }
}
