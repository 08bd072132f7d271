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
 * detector), and resident memory outside the Java heap around step 2000 stays within 10% of that
 * around step 200 (medians of five samples each: glibc
 * now and then returns 30 MB to the system, which dips single readings).
 */
class MemoryFlatnessTest {

    // The temperature is frozen at 0.07: 2000 steps of memorising 32 random pairs drive a learnable
    // temperature to its floor, where ITC's logits reach +-1000 and training diverges; that is a
    // property of the toy task, not of memory management, which is what this test is about.

    @TempDir
    Path dir;

    /**
     * Resident memory outside the Java heap: VmRSS minus the resident pages of the heap's
     * reservation (the largest mapping in {@code /proc/self/smaps}, sized by -Xmx). That is native
     * tensors, libraries and the JIT's code, without the heap pages G1 touches and returns on its
     * own schedule (subtracting the heap's committed size instead swings by 100 MB between readings).
     */
    static long nativeResidentKiB() {
        long rss = residentKiB();
        long largestMapping = 0;
        long largestMappingRss = 0;
        long size = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
                if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                    String[] range = line.substring(0, line.indexOf(' ')).split("-");
                    size = Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16);
                } else if (line.startsWith("Rss:") && size > largestMapping) {
                    largestMapping = size;
                    largestMappingRss = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return rss - largestMappingRss;
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
            // the preset's step: a backward pass, clipping and AdamW moments per loss
            TrainConfig c = new TrainConfig(2000, 4, 1e-4, 20, 0.1, 0.05, 0.9, 0.999, 1e-8, 1.0, 3, 0, 0, 1000, "cpu", true);
            new Trainer(c, model, dir, Map.of()).withLossWeights(ObjectiveConfig.blip2().weights())
                    .run(task.step(model, ObjectiveConfig.blip2()), null,
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
        }
        long a = median(early);
        long b = median(late);
        double growth = (b - a) / (double) a;
        System.out.printf("memory: native resident median %d KiB around step 200, %d KiB around step 2000 (%+.1f%%); live NDArrays %d -> %d; VmRSS now %d KiB%n",
                a, b, 100 * growth, arrays[0], arrays[1], residentKiB());
        assertEquals(arrays[0], arrays[1], "NDArrays leaked between steps 200 and 2000");
        assertTrue(growth < 0.10, "native resident memory grew " + (100 * growth) + "% between steps 200 and 2000");
    }
}
