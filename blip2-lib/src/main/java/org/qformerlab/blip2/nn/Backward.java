package org.qformerlab.blip2.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Back-propagation that may pass over one graph several times (PyTorch's {@code retain_graph}):
 * training with one pair of optimizer moments per loss needs each loss's own gradient, and the
 * losses of a step share most of their graph. DJL's {@code GradientCollector.backward} always frees
 * the graph, so this calls the engine directly; call it inside a gradient collector.
 */
public final class Backward {

    private Backward() {}

    /**
     * Adds {@code d target / d w} to the gradient of every parameter {@code w} that {@code target}
     * depends on.
     *
     * @param target a scalar loss
     * @param keepGraph keep the graph for another pass (false frees it, as the last pass should)
     */
    public static void of(NDArray target, boolean keepGraph) {
        if (!(target instanceof PtNDArray pt)) {
            throw new UnsupportedOperationException(
                    "a backward pass that keeps its graph needs the PyTorch engine, but this array belongs to "
                            + target.getManager().getEngine().getEngineName()
                            + "; set train.perLossMoments=false to train with one backward pass per step");
        }
        try (NDArray ones = target.onesLike()) {
            JniUtils.backward(pt, (PtNDArray) ones, keepGraph, false);
        }
    }

    /**
     * Sets the gradient that backward passes accumulated in {@code parameter} to zero, NaN and
     * infinity included, in place and creating nothing (PyTorch's {@code grad.zero_()}): the step
     * with moments per loss clears the gradients after every loss.
     */
    public static void zeroGradient(NDArray parameter) {
        if (parameter instanceof PtNDArray pt) {
            JniUtils.zeroGrad(pt);
        } else {
            try (NDArray g = parameter.getGradient()) {
                Overwrite.fill(g, 0f);
            }
        }
    }
}
