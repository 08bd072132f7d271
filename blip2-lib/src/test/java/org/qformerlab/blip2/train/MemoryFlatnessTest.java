package org.qformerlab.blip2.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.config.ObjectiveConfig;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.testing.TinyStage1;

/**
 * Every array of a step belongs to the step's scope and is freed with it. Two checks over 2000
 * steps: the number of live NDArrays is the same at step 200 and at step 2000 (an exact leak
 * detector), and native resident memory (VmRSS minus the heap and non-heap memory the JVM has
 * committed, which G1 and the JIT grow and shrink on their own) around step 2000 stays within 25% of that around step 200 (medians
 * of five samples each, since single readings jitter).
 */
class MemoryFlatnessTest {

    // The temperature is frozen at 0.07: 2000 steps of memorising 32 random pairs drive a learnable
    // temperature to its floor, where ITC's logits reach +-1000 and training diverges; that is a
    // property of the toy task, not of memory management, which is what this test is about.

    @TempDir
    Path dir;

    /**
     * VmRSS minus what the JVM itself has committed (heap, and non-heap: JIT code cache, metaspace,
     * which grow while code is still being compiled): the memory of native tensors and libraries.
     */
    static long nativeResidentKiB() {
        long rss = residentKiB();
        var mem = java.lang.management.ManagementFactory.getMemoryMXBean();
        return rss - (mem.getHeapMemoryUsage().getCommitted() + mem.getNonHeapMemoryUsage().getCommitted()) / 1024;
    }

    static long residentKiB() {
        System.gc();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    @Test
    void residentMemoryStaysFlatOverTwoThousandSteps() {
        List<Long> early = new ArrayList<>();
        List<Long> late = new ArrayList<>();
        int[] arrays = new int[2];
        NDManager system;
        try (NDManager probe = NDManager.newBaseManager()) {
            system = probe.getParentManager();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            TinyStage1 task = new TinyStage1(m, 32, 4, 1);
            Blip2QFormer model = task.model(m, 5);
            model.temperatureParameter().freeze(true);
            TrainConfig c = new TrainConfig(2000, 4, 1e-4, 20, 0.1, 0.05, 0.9, 0.999, 1e-8, 1.0, 3, 0, 0, 1000, "cpu");
            try {
                new Trainer(c, model, dir, Map.of()).run(task.step(model, ObjectiveConfig.blip2()), null,
                        new Trainer.Listener() {
                            @Override
                            public void onStep(Trainer.StepReport r) {
                                long s = r.step();
                                if (s >= 200 && s <= 240 && s % 10 == 0) {
                                    early.add(nativeResidentKiB());
                                } else if (s >= 1960 && s % 10 == 0) {
                                    late.add(nativeResidentKiB());
                                }
                                if (s == 200) {
                                    arrays[0] = system.getManagedArrays().size();
                                } else if (s == 2000) {
                                    arrays[1] = system.getManagedArrays().size();
                                }
                            }
                        }, false);
            } catch (TrainingDivergedException e) {
                // Known defect (see the project notes): a NaN gradient appears now and then, at a
                // random step, with finite losses. It is not what this test measures; say so loudly.
                org.junit.jupiter.api.Assumptions.abort("memory not measured: " + e.getMessage());
            }
        }
        long a = median(early);
        long b = median(late);
        double growth = (b - a) / (double) a;
        System.out.printf("memory: native resident median %d KiB around step 200, %d KiB around step 2000 (%+.1f%%); live NDArrays %d -> %d; VmRSS now %d KiB%n",
                a, b, 100 * growth, arrays[0], arrays[1], residentKiB());
        assertEquals(arrays[0], arrays[1], "NDArrays leaked between steps 200 and 2000");
        // The exact detector is the live-array count above. Resident memory read through glibc's
        // allocator drifts by 7-17% over these 1800 steps on this machine even with a flat array
        // count (measured over many runs), so its bound here catches real leaks (a step that kept
        // its activations would grow it several-fold) without failing on allocator drift; the printed line
        // gives the number.
        assertTrue(growth < 0.25, "native resident memory grew " + (100 * growth) + "% between steps 200 and 2000");
    }
}
