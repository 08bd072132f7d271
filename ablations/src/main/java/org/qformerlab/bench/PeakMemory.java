package org.qformerlab.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak resident memory of this process ({@code VmHWM} in {@code /proc/self/status}): Java heap
 * plus native tensors, the number that decides whether a run fits in a machine.
 */
public final class PeakMemory {

    private PeakMemory() {}

    /** Peak resident set in MiB, or -1 where {@code /proc} is not available (not Linux). */
    public static double peakResidentMb() {
        Path status = Path.of("/proc/self/status");
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) {
                    String kb = line.substring(6).trim().split("\\s+")[0];
                    return Measurement.round(Long.parseLong(kb) / 1024.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
