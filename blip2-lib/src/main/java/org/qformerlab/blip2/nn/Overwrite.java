package org.qformerlab.blip2.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * Writes new values into an existing array (a parameter, an optimizer moment, a gradient) in place,
 * in the memory PyTorch already owns for it.
 *
 * <p>DJL's {@code array.set(buffer)} does not copy on the CPU: it points the tensor's storage at the
 * Java buffer. A parameter loaded that way lives in memory that belongs to a temporary (a loaded
 * checkpoint tensor, a Java array) and is freed with it: the weights silently change later. These
 * methods copy with PyTorch's own indexing ({@code target[...] = source}) instead.
 */
public final class Overwrite {

    private Overwrite() {}

    private static final NDIndex ALL = new NDIndex("...");

    /** {@code target[...] = source}: same shape, converted to target's type and device. */
    public static void copy(NDArray target, NDArray source) {
        if (!target.getShape().equals(source.getShape())) {
            throw new IllegalArgumentException(
                    "cannot copy an array of shape " + source.getShape() + " into one of shape " + target.getShape());
        }
        try (GradMode ignored = GradMode.off()) {
            NDArray s = source.toType(target.getDataType(), false).toDevice(target.getDevice(), false);
            target.set(ALL, s);
            if (s != source) {
                s.close();
            }
        }
    }

    /**
     * {@code target[...] = value}: also clears NaN and infinity (which {@code muli(0)} keeps). The
     * value goes in as a scalar array of a short-lived manager: DJL's {@code set(index, number)} makes
     * that scalar in the target's own manager and never closes it, one leaked array per call.
     */
    public static void fill(NDArray target, float value) {
        try (GradMode ignored = GradMode.off(); NDManager temp = target.getManager().newSubManager()) {
            target.set(ALL, temp.create(value).toType(target.getDataType(), false));
        }
    }
}
