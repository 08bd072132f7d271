package org.qformerlab.ablations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Child JVMs of a parallel study share the cores instead of each taking all of them. */
class ChildProcessLauncherTest {

    @Test
    void parallelRunsSplitTheCoresAndEachGetsAtLeastOne() {
        assertEquals(2, ChildProcessLauncher.threadsPerRun(2, 1));
        assertEquals(1, ChildProcessLauncher.threadsPerRun(2, 2));
        assertEquals(1, ChildProcessLauncher.threadsPerRun(2, 3));
        assertEquals(4, ChildProcessLauncher.threadsPerRun(16, 4));
        assertEquals(1, ChildProcessLauncher.threadsPerRun(1, 0));
    }

    @Test
    void childrenAlwaysGetAThreadCount() {
        List<String> args = ChildProcessLauncher.inherited(2);
        long threads = args.stream().filter(a -> a.startsWith("-D" + ChildProcessLauncher.THREADS + "=")).count();
        assertEquals(1, threads, "exactly one thread setting: " + args);
        boolean parentSetsIt = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-D" + ChildProcessLauncher.THREADS + "="));
        if (!parentSetsIt) {
            int expected = ChildProcessLauncher.threadsPerRun(Runtime.getRuntime().availableProcessors(), 2);
            assertTrue(args.contains("-D" + ChildProcessLauncher.THREADS + "=" + expected), args.toString());
        }
    }
}
