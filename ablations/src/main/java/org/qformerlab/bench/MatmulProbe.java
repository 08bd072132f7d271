package org.qformerlab.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The reference for "how fast could it be": GFLOP/s of one large float32 matrix product
 * {@code [n, n] x [n, n]} (2 n^3 floating-point operations) on the benchmark's device, measured
 * in the same process so that thread settings, clock and neighbours are the same as for the
 * model. A training step's achieved GFLOP/s divided by this is its efficiency.
 */
public final class MatmulProbe {

    private MatmulProbe() {}

    /** Median GFLOP/s of {@code reps} products of two random n x n float32 matrices (after 2 warm-up products). */
    public static double gflops(Device device, int n, int reps) {
        try (NDManager m = NDManager.newBaseManager(device)) {
            NDArray a = m.randomNormal(0f, 1f, new Shape(n, n), DataType.FLOAT32);
            NDArray b = m.randomNormal(0f, 1f, new Shape(n, n), DataType.FLOAT32);
            for (int i = 0; i < 2; i++) {
                try (NDArray c = a.matMul(b)) {
                    c.getFloat(0, 0); // waits for the product on an asynchronous device
                }
            }
            Timings t = new Timings();
            for (int i = 0; i < reps; i++) {
                long t0 = System.nanoTime();
                try (NDArray c = a.matMul(b)) {
                    c.getFloat(0, 0);
                }
                t.add(System.nanoTime() - t0);
            }
            return 2.0 * n * n * n / (t.medianMs() / 1000) / 1e9;
        }
    }
}
