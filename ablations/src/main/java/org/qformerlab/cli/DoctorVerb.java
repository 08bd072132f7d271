package org.qformerlab.cli;

import java.io.PrintStream;

/**
 * {@code qformerlab doctor}: says which compute engine this installation loads and what it can
 * use (DJL and PyTorch versions, CPU or CUDA build, the native library, threads, devices,
 * precisions), and, when no GPU is used, why and the fix ({@link EngineDiagnosis}). Exit code 0;
 * with {@code --require-gpu}, 1 when no GPU is used.
 */
public final class DoctorVerb implements Verb {

    @Override
    public String name() {
        return "doctor";
    }

    @Override
    public String summary() {
        return "which engine, native library, devices and precisions this installation uses; why no GPU, and the fix";
    }

    @Override
    public String usage() {
        return """
                usage: qformerlab doctor [--require-gpu]

                Prints the DJL version, the PyTorch engine's version and flavour (cpu, or a CUDA build such as
                cu128), the native library in use, the thread count, the devices found, which precisions each
                device accepts, and, when no GPU is used, why (no CUDA build of libtorch loaded, or no GPU
                visible to it) with the fix. environment/gpu.md explains how to load the CUDA build.

                options:
                  --require-gpu   exit with 1 when no GPU is used (for scripts that must not fall back to the CPU)
                """;
    }

    @Override
    public int run(Args args, PrintStream out) {
        boolean requireGpu = args.flag("require-gpu");
        args.checkAllUsed();
        EngineDiagnosis d = EngineDiagnosis.probe();
        d.lines().forEach(out::println);
        out.flush();
        if (requireGpu && !d.gpuUsed()) {
            System.err.println("qformerlab doctor: no GPU is used (--require-gpu): " + d.whyNoGpu().get(0));
            return 1;
        }
        return 0;
    }
}
