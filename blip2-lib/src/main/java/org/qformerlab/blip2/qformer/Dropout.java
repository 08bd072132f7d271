package org.qformerlab.blip2.qformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.qformerlab.blip2.nn.Seeds;

/**
 * Inverted dropout, active only while training: each element is zeroed with probability
 * {@code rate} and the survivors are scaled by {@code 1 / (1 - rate)}, so the expectation is
 * unchanged and evaluation needs no rescaling.
 *
 * <p>On a GPU the engine's fused dropout does this. On the CPU the keep-mask is drawn here, in
 * Java, from {@link Seeds#dropout()}: libtorch's CPU {@code bernoulli_} takes its fast, parallel MKL
 * path only on Intel processors and otherwise draws one Mersenne-Twister number per element on one
 * thread. On the AMD EPYC machines this project is measured on that was 240 ms of a 1.69 s
 * {@code bench-mid} stage-1 step, however many threads. Here one 64-bit draw decides four elements
 * (16 bits each, so {@code rate} is used to 1/65536) and blocks of the mask fill in parallel.
 */
public final class Dropout {

    private static final int BLOCK = 1 << 16;

    private Dropout() {}

    public static NDArray apply(NDArray x, float rate, boolean training) {
        if (!training || rate <= 0) {
            return x;
        }
        if (rate >= 1) {
            throw new IllegalArgumentException("dropout rate " + rate + " drops everything; use a rate in [0, 1)");
        }
        if (x.getDevice().isGpu()) {
            return x.getNDArrayInternal().dropout(x, rate, true).singletonOrThrow();
        }
        NDArray mask = x.getManager().create(mask(x.getShape(), rate), x.getShape());
        return x.mul(x.getDataType() == DataType.FLOAT32 ? mask : mask.toType(x.getDataType(), false));
    }

    /** Values {@code 0} (dropped) or {@code 1 / (1 - rate)} (kept), one per element of {@code shape}. */
    static float[] mask(Shape shape, float rate) {
        long n = shape.size();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("dropout over " + n + " elements: more than one Java array holds");
        }
        float[] out = new float[(int) n];
        int threshold = Math.round(rate * 65536f); // drop when a 16-bit draw is below it
        float keep = 1f / (1f - rate);
        int blocks = (out.length + BLOCK - 1) / BLOCK;
        SplittableRandom[] streams = new SplittableRandom[blocks];
        for (int b = 0; b < blocks; b++) {
            streams[b] = Seeds.dropout(); // drawn in order, so the mask does not depend on scheduling
        }
        IntStream.range(0, blocks).parallel().forEach(b -> {
            SplittableRandom r = streams[b];
            int from = b * BLOCK;
            int to = Math.min(out.length, from + BLOCK);
            for (int i = from; i < to; i += 4) {
                long bits = r.nextLong();
                for (int j = i; j < Math.min(to, i + 4); j++) {
                    out[j] = (bits & 0xFFFF) < threshold ? 0f : keep;
                    bits >>>= 16;
                }
            }
        });
        return out;
    }
}
