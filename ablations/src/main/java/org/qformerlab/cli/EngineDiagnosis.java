package org.qformerlab.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.qformerlab.blip2.nn.Precision;

/**
 * What the compute engine is and what it can use, as {@code qformerlab doctor} prints it: DJL's
 * version, the PyTorch engine's version and flavour ({@code cpu} or a CUDA build such as
 * {@code cu128}), the native library in use, threads, the devices found, the precisions each device
 * accepts, and, when no GPU is used, why and how to fix it. The facts are gathered by
 * {@link #probe()} and printed by {@link #lines()}, so the text can be checked for a GPU machine on
 * a machine without one.
 *
 * @param djlVersion DJL's version
 * @param engine the engine's name (PyTorch)
 * @param engineVersion the engine's version (libtorch's, e.g. 2.7.1)
 * @param flavour {@code cpu}, {@code cu1xx}, or what the library folder and PYTORCH_FLAVOR say
 * @param libraryPath the folder of the libtorch in use
 * @param cudaBuild whether the loaded libtorch was built with CUDA
 * @param threads intra-op threads
 * @param interOpThreads inter-op threads
 * @param cores processors the JVM sees
 * @param gpuCount GPUs the engine sees
 * @param environment the PYTORCH_* variables that steer DJL's choice of libtorch, as set
 */
public record EngineDiagnosis(
        String djlVersion,
        String engine,
        String engineVersion,
        String flavour,
        String libraryPath,
        boolean cudaBuild,
        int threads,
        int interOpThreads,
        int cores,
        int gpuCount,
        Map<String, String> environment) {

    /** The variables with which DJL is pointed at a libtorch of the user's (environment/gpu.md). */
    public static final List<String> VARIABLES = List.of("PYTORCH_LIBRARY_PATH", "PYTORCH_VERSION", "PYTORCH_FLAVOR");

    /** DJL's library folder name: {@code <version>[-<build date>]-<flavour>-<os>-<arch>}. */
    private static final Pattern FOLDER = Pattern.compile("-((?:cpu|cu\\d+)[a-z0-9-]*?)-(?:linux|osx|win)-[a-z0-9_]+$");

    /** The facts of this process's engine (loads it). */
    public static EngineDiagnosis probe() {
        Engine e = Engine.getInstance();
        boolean pytorch = "PyTorch".equals(e.getEngineName());
        String path = pytorch ? LibUtils.getLibtorchPath() : "(not PyTorch)";
        Map<String, String> env = new LinkedHashMap<>();
        for (String v : VARIABLES) {
            String value = System.getenv(v) != null ? System.getenv(v) : System.getProperty(v);
            if (value != null) {
                env.put(v, value);
            }
        }
        boolean cuda = e.hasCapability("CUDA");
        return new EngineDiagnosis(Engine.getDjlVersion(), e.getEngineName(), e.getVersion(),
                flavour(path, env.get("PYTORCH_FLAVOR"), cuda), path, cuda,
                pytorch ? JniUtils.getNumThreads() : -1, pytorch ? JniUtils.getNumInteropThreads() : -1,
                Runtime.getRuntime().availableProcessors(), e.getGpuCount(), env);
    }

    /** The flavour from DJL's folder name, else from PYTORCH_FLAVOR, else from the build's CUDA support. */
    static String flavour(String libraryPath, String flavourVariable, boolean cudaBuild) {
        Matcher m = FOLDER.matcher(libraryPath == null ? "" : libraryPath);
        if (m.find()) {
            return m.group(1);
        }
        if (flavourVariable != null) {
            return flavourVariable;
        }
        return cudaBuild ? "a CUDA build" : "cpu";
    }

    /** The devices found: the CPU, then every GPU. */
    public List<Device> devices() {
        List<Device> out = new ArrayList<>();
        out.add(Device.cpu());
        for (int i = 0; i < gpuCount; i++) {
            out.add(Device.gpu(i));
        }
        return out;
    }

    /** Whether training with {@code --device auto} runs on a GPU ({@code Devices.resolve("auto")}). */
    public boolean gpuUsed() {
        return gpuCount > 0;
    }

    /** Why no GPU is used, then the fix (empty when one is used). */
    public List<String> whyNoGpu() {
        if (gpuUsed()) {
            return List.of();
        }
        if (!cudaBuild) {
            return List.of("no CUDA build of libtorch is loaded: " + libraryPath + " is the " + flavour
                            + " build, which cannot use a GPU",
                    "fix: on a machine with an NVIDIA GPU, load DJL's CUDA build of libtorch " + engineVersion
                            + " for CUDA 12.8 (DJL's pytorch-native-cu128 jar in place of the CPU one, or"
                            + " PYTORCH_LIBRARY_PATH + PYTORCH_VERSION=" + engineVersion + " + PYTORCH_FLAVOR=cu128 naming an"
                            + " installed one): environment/gpu.md says how");
        }
        return List.of("no GPU is visible to the CUDA build of libtorch (" + flavour + ")",
                "fix: check that `nvidia-smi` lists a GPU, that the NVIDIA driver supports this CUDA version, and"
                        + " that CUDA_VISIBLE_DEVICES does not hide it (environment/gpu.md)");
    }

    /** The report, one fact a line. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add("QFormer Lab doctor: the compute engine and what it can use");
        out.add(row("DJL", djlVersion));
        out.add(row("engine", engine + " " + engineVersion + ", flavour " + flavour + " (CUDA build: "
                + (cudaBuild ? "yes" : "no") + ")"));
        out.add(row("native library", libraryPath));
        environment.forEach((k, v) -> out.add(row("environment", k + "=" + v)));
        out.add(row("threads", threads + " intra-op, " + interOpThreads + " inter-op, on " + cores
                + " cores (-Dai.djl.pytorch.num_threads=N sets the intra-op count)"));
        out.add(row("devices", devices().stream().map(Device::toString).collect(Collectors.joining(", "))
                + " (GPUs found: " + gpuCount + ")"));
        for (Device d : devices()) {
            List<Precision> accepted = Precision.accepted(d);
            String refused = java.util.Arrays.stream(Precision.values()).filter(p -> !accepted.contains(p))
                    .map(p -> p.label() + (p == Precision.BFLOAT16 ? ", which DJL's JNI cannot create" : " (GPU only)"))
                    .collect(Collectors.joining("; "));
            out.add(row("precisions", d + ": " + accepted.stream().map(Precision::label).collect(Collectors.joining(", "))
                    + (refused.isEmpty() ? "" : "; refused: " + refused)));
        }
        if (gpuUsed()) {
            out.add(row("GPU", "used: --device auto trains on " + Device.gpu()));
        } else {
            List<String> why = whyNoGpu();
            out.add(row("GPU", "not used: " + why.get(0)));
            for (String fix : why.subList(1, why.size())) {
                out.add("  " + " ".repeat(18) + fix);
            }
        }
        out.add(row("training runs on", gpuUsed() ? Device.gpu().toString() : Device.cpu().toString()));
        return out;
    }

    private static String row(String label, String value) {
        return String.format("  %-18s%s", label, value);
    }
}
