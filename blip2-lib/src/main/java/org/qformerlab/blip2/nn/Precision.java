package org.qformerlab.blip2.nn;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/**
 * The number format a model computes in, and the one place that decides which formats a device
 * may use. Master weights, optimizer moments and losses always stay float32; a reduced precision
 * ({@code float16}, {@code bfloat16}) is a compute format for GPUs.
 *
 * <p>On a CPU only {@code float32} is accepted:
 *
 * <ul>
 *   <li>{@code bfloat16}: with DJL 0.35.1 / PyTorch 2.7.1 on CPU, casting an array to BFLOAT16
 *       aborts the whole JVM (native {@code terminate}, no Java exception to catch). It must be
 *       refused before any cast happens, which is what {@link #check} is for.
 *   <li>{@code float16}: the cast works, but CPU half-precision kernels are slower than float32
 *       on the processors this project runs on (no native FP16 arithmetic; every op converts) and
 *       some are missing; it would only lose accuracy. Refused with the same clear message.
 * </ul>
 *
 * Call {@link #check} (or {@link #resolve}) with the device before creating or casting anything.
 */
public enum Precision {
    FLOAT32(DataType.FLOAT32),
    FLOAT16(DataType.FLOAT16),
    BFLOAT16(DataType.BFLOAT16);

    private final DataType dataType;

    Precision(DataType dataType) {
        this.dataType = dataType;
    }

    /** The DJL data type of this compute format. */
    public DataType dataType() {
        return dataType;
    }

    /** The name used on command lines and in reports: float32, float16, bfloat16. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code float32|fp32|float16|fp16|half|bfloat16|bf16} (case-insensitive). */
    public static Precision parse(String spec) {
        String s = spec == null ? "float32" : spec.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "float32":
            case "fp32":
                return FLOAT32;
            case "float16":
            case "fp16":
            case "half":
                return FLOAT16;
            case "bfloat16":
            case "bf16":
                return BFLOAT16;
            default:
                throw new IllegalArgumentException(
                        "unknown precision '" + spec + "': use float32, float16 or bfloat16");
        }
    }

    /**
     * Rejects a format the device cannot use, before anything is cast.
     *
     * @throws IllegalArgumentException naming the format, the device and the fix
     */
    public Precision check(Device device) {
        if (this != FLOAT32 && !device.isGpu()) {
            String why = this == BFLOAT16
                    ? "casting to bfloat16 on a CPU aborts the JVM in DJL 0.35.1 / PyTorch 2.7.1"
                    : "CPU float16 kernels are slower than float32 here and only lose accuracy";
            throw new IllegalArgumentException(
                    "precision " + label() + " is for GPUs only and the device is " + device + " ("
                            + why + "): use --dtype float32 on a CPU, or run on a GPU (--device gpu)");
        }
        return this;
    }

    /** {@link #parse} then {@link #check}: the format for a device, or a clear refusal. */
    public static Precision resolve(String spec, Device device) {
        return parse(spec).check(device);
    }
}
