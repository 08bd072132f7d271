package org.qformerlab.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import org.qformerlab.blip2.nn.Devices;
import org.qformerlab.blip2.nn.Precision;

/**
 * Where benchmarks run: the device (from {@link Devices}), the compute precision (checked by
 * {@link Precision} before anything is cast), the engine, its intra-op thread count, and the
 * GFLOP/s of a large float32 matmul measured in this process (before and after each benchmark).
 */
public final class BenchEnvironment {

    private final Device device;
    private final Precision precision;
    private final int matmulSize;
    private double matmulGflops = Double.NaN;
    private java.nio.file.Path trace;

    public BenchEnvironment(Device device, Precision precision, int matmulSize) {
        this.device = device;
        this.precision = precision.check(device);
        this.matmulSize = matmulSize;
    }

    /**
     * The precision asked for by {@code --precision} or by its older name {@code --dtype} (either may
     * be null); float32 when neither is given.
     *
     * @throws IllegalArgumentException when both are given and disagree
     */
    public static String precisionOption(String precision, String dtype) {
        if (precision != null && dtype != null && !precision.equals(dtype)) {
            throw new IllegalArgumentException("--precision " + precision + " and --dtype " + dtype
                    + " disagree: give one (--dtype is the older name of --precision)");
        }
        return precision != null ? precision : dtype != null ? dtype : "float32";
    }

    /** Resolves {@code --device} and {@code --precision}; refuses bf16/fp16 on a CPU before any cast. */
    public static BenchEnvironment resolve(String device, String precision, int matmulSize) {
        Device d = Devices.resolve(device);
        return new BenchEnvironment(d, Precision.resolve(precision, d), matmulSize);
    }

    public Device device() {
        return device;
    }

    public Precision precision() {
        return precision;
    }

    /**
     * The best GFLOP/s of a {@code matmulSize}^3 float32 product measured so far in this process
     * (measured now if never). The best, not the last: on a shared machine a neighbour's burst
     * should not make the model look efficient.
     */
    public synchronized double matmulGflops() {
        if (Double.isNaN(matmulGflops)) {
            probe();
        }
        return matmulGflops;
    }

    /** Measures the reference matmul again (benchmarks call it before and after timing). */
    public synchronized void probe() {
        double g = MatmulProbe.gflops(device, matmulSize, 10);
        matmulGflops = Double.isNaN(matmulGflops) ? g : Math.max(matmulGflops, g);
    }

    /** Where to write a PyTorch profiler trace of the last timed step (chrome://tracing), or null. */
    public java.nio.file.Path trace() {
        return trace;
    }

    public BenchEnvironment withTrace(java.nio.file.Path file) {
        this.trace = file;
        return this;
    }

    public int matmulSize() {
        return matmulSize;
    }

    public String engine() {
        Engine e = Engine.getInstance();
        return e.getEngineName() + " " + e.getVersion();
    }

    /** The engine's intra-op thread count (PyTorch), or -1 when unknown. */
    public int threads() {
        return "PyTorch".equals(Engine.getInstance().getEngineName()) ? JniUtils.getNumThreads() : -1;
    }
}
