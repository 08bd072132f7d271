package org.qformerlab.blip2.nn;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The number format a model computes in, and the one place that decides which formats a device
 * may use. Master weights, optimizer moments and losses always stay float32; a reduced precision
 * ({@code float16}, {@code bfloat16}) is a compute format for GPUs ({@link Autocast} computes in it,
 * {@link LossScaler} keeps float16's small gradients from vanishing).
 *
 * <p>On a CPU only {@code float32} is accepted:
 *
 * <ul>
 *   <li>{@code bfloat16}: with PyTorch 2.7.1 on CPU, creating or casting any BFLOAT16 array aborts
 *       the whole JVM (native {@code terminate called without an active exception}, exit 134, no
 *       Java exception to catch), with DJL 0.35.1 and 0.36.0 alike. It must be refused before any
 *       cast happens, which is what {@link #check} is for.
 *   <li>{@code float16}: the cast works, but CPU half-precision kernels are slower than float32
 *       on the processors this project runs on (no native FP16 arithmetic; every op converts);
 *       it would only lose accuracy. Refused with the same clear message, unless the system
 *       property {@value #CPU_FLOAT16_PROPERTY} is {@code true}: an opt-in for tests and for
 *       experts who check the mixed-precision code path on a machine without a GPU.
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
     * slow, and only for checking the mixed-precision path where there is no GPU. bfloat16 stays
     * refused on a CPU whatever it says, since it would abort the JVM.
     */
    public static final String CPU_FLOAT16_PROPERTY = "qformerlab.allowCpuFloat16";

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
     * Rejects a format the device cannot use, before anything is cast; float16 on a CPU passes when
     * the system property {@value #CPU_FLOAT16_PROPERTY} is {@code true}.
     *
     * @throws IllegalArgumentException naming the format, the device and the fix
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
        if (this != FLOAT32 && !device.isGpu() && !(this == FLOAT16 && allowCpuFloat16)) {
            String why = this == BFLOAT16
                    ? "creating a bfloat16 array on a CPU aborts the JVM in DJL 0.35.1 and 0.36.0 / PyTorch 2.7.1"
                    : "CPU float16 kernels are slower than float32 here and only lose accuracy";
            throw new IllegalArgumentException(
                    "precision " + label() + " is for GPUs only and the device is " + device + " ("
                            + why + "): use --precision float32 (train.precision = float32) on a CPU, or run on a"
                            + " GPU (--device gpu; environment/gpu.md)");
        }
        return this;
    }

    /** The formats {@code device} accepts, in the order float32, float16, bfloat16 ({@link #check}). */
    public static List<Precision> accepted(Device device) {
        List<Precision> out = new ArrayList<>();
        for (Precision p : values()) {
            try {
                out.add(p.check(device));
            } catch (IllegalArgumentException refused) {
                // not for this device
            }
        }
        return out;
    }

    /** {@link #parse} then {@link #check}: the format for a device, or a clear refusal. */
    public static Precision resolve(String spec, Device device) {
        return parse(spec).check(device);
    }
}
