package org.qformerlab.blip2.nn;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The number format a model computes in, and the one place that decides which formats a device
 * may use. Master weights, optimizer moments and losses always stay float32; a reduced precision
 * is a compute format for GPUs ({@link Autocast} computes in it, {@link LossScaler} keeps
 * float16's small gradients from vanishing).
 *
 * <ul>
 *   <li>{@code float32}: everywhere.
 *   <li>{@code float16}: on GPUs. On a CPU the cast works, but half-precision kernels are slower
 *       than float32 on the processors this project runs on (no native FP16 arithmetic; every op
 *       converts); it would only lose accuracy. Refused there unless the system property
 *       {@value #CPU_FLOAT16_PROPERTY} is {@code true}: an opt-in for tests and for experts who
 *       check the mixed-precision code path on a machine without a GPU.
 *   <li>{@code bfloat16}: nowhere, for now. DJL's PyTorch JNI (0.35.1 and 0.36.0, PyTorch 2.7.1)
 *       passes a data type to native code as its {@code DataType} ordinal, and the native table
 *       ({@code GetScalarTypeFromDType}) stops at complex64: BFLOAT16 (ordinal 11) reaches a bare
 *       {@code throw;}, and the JVM aborts ({@code terminate called without an active exception},
 *       exit 134, no Java exception to catch) on creating or casting any bfloat16 array. Measured
 *       on a CPU with both DJL versions ({@code zeros}, {@code ones} and casts alike); the table is
 *       the same for every device, so a GPU aborts the same way. The system property
 *       {@value #BFLOAT16_PROPERTY} lets it through on a GPU, for a DJL whose JNI maps bfloat16.
 * </ul>
 *
 * Call {@link #check} (or {@link #resolve}) with the device before creating or casting anything.
 */
public enum Precision {
    FLOAT32(DataType.FLOAT32),
    FLOAT16(DataType.FLOAT16),
    BFLOAT16(DataType.BFLOAT16);

    /**
     * Set to {@code true} ({@code -Dqformerlab.allowCpuFloat16=true}) to compute in float16 on a CPU:
     * slow, and only for checking the mixed-precision path where there is no GPU.
     */
    public static final String CPU_FLOAT16_PROPERTY = "qformerlab.allowCpuFloat16";

    /**
     * Set to {@code true} to compute in bfloat16 on a GPU with a DJL whose PyTorch JNI can create
     * bfloat16 arrays (0.35.1 and 0.36.0 cannot: the JVM aborts). Try it in a throwaway process first.
     */
    public static final String BFLOAT16_PROPERTY = "qformerlab.allowBfloat16";

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

    /** Whether a reduced precision computes in a type other than float32 (float16, bfloat16). */
    public boolean reduced() {
        return this != FLOAT32;
    }

    /**
     * Rejects a format the device cannot use, before anything is cast; the opt-ins
     * {@value #CPU_FLOAT16_PROPERTY} and {@value #BFLOAT16_PROPERTY} are read from the system
     * properties.
     *
     * @throws IllegalArgumentException in one line naming the format, the device, why and the fix
     */
    public Precision check(Device device) {
        return check(device, Boolean.getBoolean(CPU_FLOAT16_PROPERTY));
    }

    /**
     * {@link #check} with the CPU float16 opt-in given rather than read from the system property.
     *
     * @param allowCpuFloat16 accept float16 on a CPU (slow; for tests of the mixed-precision path)
     */
    public Precision check(Device device, boolean allowCpuFloat16) {
        String why = whyRefused(device, allowCpuFloat16);
        if (why != null) {
            throw new IllegalArgumentException("precision " + label() + " is refused on " + device + ": " + why);
        }
        return this;
    }

    /** Why {@code device} refuses this format, with the fix; null when it accepts it. */
    public String whyRefused(Device device, boolean allowCpuFloat16) {
        if (this == BFLOAT16 && !(device.isGpu() && Boolean.getBoolean(BFLOAT16_PROPERTY))) {
            return "DJL's PyTorch JNI (0.35.1, 0.36.0) has no bfloat16 type and creating a bfloat16 array aborts the"
                    + " JVM, on any device: use --precision float16 (train.precision = float16) on a GPU, or float32";
        }
        if (this == FLOAT16 && !device.isGpu() && !allowCpuFloat16) {
            return "float16 is for GPUs (CPU float16 kernels are slower than float32 here and only lose accuracy):"
                    + " use --precision float32 (train.precision = float32) on a CPU, or run on a GPU (--device gpu;"
                    + " environment/gpu.md)";
        }
        return null;
    }

    /** The formats {@code device} accepts, in the order float32, float16, bfloat16 ({@link #check}). */
    public static List<Precision> accepted(Device device) {
        List<Precision> out = new ArrayList<>();
        for (Precision p : values()) {
            if (p.whyRefused(device, Boolean.getBoolean(CPU_FLOAT16_PROPERTY)) == null) {
                out.add(p);
            }
        }
        return out;
    }

    /** {@link #parse} then {@link #check}: the format for a device, or a clear refusal. */
    public static Precision resolve(String spec, Device device) {
        return parse(spec).check(device);
    }
}
