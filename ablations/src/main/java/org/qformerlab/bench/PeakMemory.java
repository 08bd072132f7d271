package org.qformerlab.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak resident memory of this process ({@code VmHWM} in {@code /proc/self/status}): Java heap
 * plus native tensors, the number that decides whether a run fits in a machine. The {@code bench}
 * verb {@link #reset}s it before each benchmark, so each measurement's peak is its own rather than
 * the largest of every benchmark run before it in the same process.
 */
public final class PeakMemory {

    private PeakMemory() {}

    /**
     * Starts the peak afresh from the current resident set (writes {@code 5} to {@code
     * /proc/self/clear_refs}, Linux 4.0 and later).
     *
     * @return whether the peak was reset; where it was not, {@link #peakResidentMb} stays the
     *     peak since the process started
     */
    public static boolean reset() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

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
