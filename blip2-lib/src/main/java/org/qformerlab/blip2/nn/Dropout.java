package org.qformerlab.blip2.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

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
        // the mask lives in memory PyTorch owns (torch::empty), written through a direct view of it:
        // autograd keeps the mask for the backward pass, and an array made from a Java buffer would
        // leave that pass reading memory the JVM may free (see nn.Scalars). One byte per element (0 =
        // dropped, 1 = kept), as PyTorch's own dropout keeps it: float masks holding 1 / (1 - rate)
        // took 0.25 GB of a bench-base stage-1 step's 3.06 GB of activations. Multiplying by 1 or 0 is exact, so
        // x * mask * (1 / (1 - rate)) is the same number as x * (mask / (1 - rate)), forward and back.
        float keep = 1f / (1f - rate);
        try (NDArray mask = x.getManager().create(x.getShape(), DataType.UINT8)) {
            ByteBuffer view = mask.toByteBuffer(true);
            if (!view.isDirect()) {
                throw new IllegalStateException("the engine gave no direct view of a CPU array; dropout cannot write its mask");
            }
            fill(view, rate);
            try (NDArray kept = x.mul(mask)) { // autograd keeps its own reference to the mask, not to this
                return Scalars.times(kept, keep);
            }
        }
    }

    /** Writes {@code 0} (dropped) or {@code 1} (kept) into every byte of {@code out}. */
    static void fill(ByteBuffer out, float rate) {
        int n = out.capacity();
        int threshold = Math.round(rate * 65536f); // drop when a 16-bit draw is below it
        int blocks = (n + BLOCK - 1) / BLOCK;
        SplittableRandom[] streams = new SplittableRandom[blocks];
        for (int b = 0; b < blocks; b++) {
            streams[b] = Seeds.dropout(); // drawn in order, so the mask does not depend on scheduling
        }
        IntStream.range(0, blocks).parallel().forEach(b -> {
            ByteBuffer mine = out.duplicate(); // a view per thread; the blocks do not overlap
            SplittableRandom r = streams[b];
            int from = b * BLOCK;
            int to = Math.min(n, from + BLOCK);
            for (int i = from; i < to; i += 4) {
                long bits = r.nextLong();
                for (int j = i; j < Math.min(to, i + 4); j++) {
                    mine.put(j, (bits & 0xFFFF) < threshold ? (byte) 0 : (byte) 1);
                    bits >>>= 16;
                }
            }
        });
    }
}
