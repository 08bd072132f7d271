package org.qformerlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code qformerlab doctor} on this CPU machine, and its text for GPU machines from given facts. */
class DoctorVerbTest {

    private static String line(String out, String label) {
        return out.lines().filter(l -> l.startsWith(String.format("  %-18s", label))).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + label + "' line in:\n" + out));
    }

    @Test
    void onThisCpuMachineItNamesTheEngineTheLibraryAndWhyNoGpuIsUsed() {
        CommandLineRun r = CommandLineRun.of("doctor");
        System.out.println(r.out());
        assertEquals(0, r.code(), r.err());
        assertTrue(line(r.out(), "DJL").endsWith(Engine.getDjlVersion()), r.out());
        assertTrue(line(r.out(), "engine").contains("PyTorch 2.7.1, flavour cpu (CUDA build: no)"), r.out());
        Path library = Path.of(line(r.out(), "native library").substring(20));
        assertTrue(Files.isDirectory(library), "the native library folder exists: " + library);
        assertTrue(line(r.out(), "threads").matches("  threads +\\d+ intra-op, \\d+ inter-op, on \\d+ cores.*"), r.out());
        assertTrue(line(r.out(), "devices").contains("cpu() (GPUs found: 0)"), r.out());
        assertTrue(line(r.out(), "precisions").endsWith(
                "cpu(): float32; refused: float16 (GPU only); bfloat16, which DJL's JNI cannot create"), r.out());
        assertTrue(line(r.out(), "GPU").contains("not used: no CUDA build of libtorch is loaded"), r.out());
        assertTrue(r.out().contains("fix: on a machine with an NVIDIA GPU, load DJL's CUDA build of libtorch 2.7.1"), r.out());
        assertTrue(r.out().contains("environment/gpu.md"), r.out());
        assertTrue(line(r.out(), "training runs on").endsWith("cpu()"), r.out());
    }

    @Test
    void requireGpuFailsWithTheReasonWhereNoGpuIsUsed() {
        CommandLineRun r = CommandLineRun.of("doctor", "--require-gpu");
        assertEquals(1, r.code());
        assertEquals("qformerlab doctor: no GPU is used (--require-gpu): no CUDA build of libtorch is loaded: ",
                r.err().substring(0, r.err().indexOf("loaded: ") + 8), r.err());
        assertTrue(r.out().contains("  GPU"), "the report is printed all the same");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        CommandLineRun r = CommandLineRun.of("doctor", "--gpu");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown option --gpu") && r.err().contains("usage: qformerlab doctor"), r.err());
    }

    @Test
    void isListedInTheHelp() {
        assertTrue(Main.verbNames().contains("doctor"));
    }

    @Test
    void onACudaMachineItShowsTheGpusTheirPrecisionsAndNoFix() {
        EngineDiagnosis d = new EngineDiagnosis("0.35.1", "PyTorch", "2.7.1",
                EngineDiagnosis.flavour("/home/u/.djl.ai/pytorch/2.7.1-20250812-cu128-linux-x86_64", null, true),
                "/home/u/.djl.ai/pytorch/2.7.1-20250812-cu128-linux-x86_64", true, 8, 8, 16, 2, Map.of());
        String out = String.join("\n", d.lines());
        assertTrue(line(out, "engine").contains("PyTorch 2.7.1, flavour cu128 (CUDA build: yes)"), out);
        assertTrue(line(out, "devices").contains("cpu(), gpu(0), gpu(1) (GPUs found: 2)"), out);
        assertTrue(out.contains("gpu(1): float32, float16; refused: bfloat16, which DJL's JNI cannot create\n"), out);
        assertTrue(line(out, "GPU").contains("used: --device auto trains on gpu(0)"), out);
        assertFalse(out.contains("fix:"), out);
        assertTrue(d.whyNoGpu().isEmpty());
    }

    @Test
    void aCudaBuildThatSeesNoGpuSaysSoWithTheDriverFix() {
        EngineDiagnosis d = new EngineDiagnosis("0.35.1", "PyTorch", "2.7.1",
                EngineDiagnosis.flavour("/opt/libtorch/lib", "cu126", true), "/opt/libtorch/lib", true, 8, 8, 16, 0,
                Map.of("PYTORCH_LIBRARY_PATH", "/opt/libtorch/lib", "PYTORCH_FLAVOR", "cu126"));
        String out = String.join("\n", d.lines());
        assertTrue(line(out, "engine").contains("flavour cu126 (CUDA build: yes)"), out);
        assertTrue(out.contains("  environment       PYTORCH_") , out);
        assertTrue(line(out, "GPU").contains("not used: no GPU is visible to the CUDA build of libtorch (cu126)"), out);
        assertTrue(out.contains("fix: check that `nvidia-smi` lists a GPU") && out.contains("CUDA_VISIBLE_DEVICES"), out);
    }

    @Test
    void theFlavourComesFromDjlsFolderNameThenTheVariableThenTheBuild() {
        assertEquals("cpu", EngineDiagnosis.flavour("/root/.djl.ai/pytorch/2.7.1-20250812-cpu-linux-x86_64", null, false));
        assertEquals("cu124", EngineDiagnosis.flavour("C:/x/.djl.ai/pytorch/2.5.1-cu124-win-x86_64", null, true));
        assertEquals("cpu-precxx11", EngineDiagnosis.flavour("/h/.djl.ai/pytorch/2.7.1-cpu-precxx11-linux-aarch64", null, false));
        assertEquals("cu128", EngineDiagnosis.flavour("/opt/libtorch/lib", "cu128", true));
        assertEquals("a CUDA build", EngineDiagnosis.flavour("/opt/libtorch/lib", null, true));
    }
}
