package org.qformerlab.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a step's time goes: {@link #start()} at the beginning of a step, {@link #mark} after each
 * phase, and the wall time since the previous mark is added to that phase's {@link Timings}.
 * Warm-up steps are run with recording off. Exact on a CPU, where every operation has finished
 * when the call returns; on a GPU a phase shows only the time to queue its work.
 */
final class PhaseClock {

    private final Map<String, Timings> phases = new LinkedHashMap<>();
    private boolean recording;
    private long last;

    void recording(boolean on) {
        recording = on;
    }

    void start() {
        last = System.nanoTime();
    }

    void mark(String phase) {
        long now = System.nanoTime();
        if (recording) {
            phases.computeIfAbsent(phase, k -> new Timings()).add(now - last);
        }
        last = now;
    }

    /** Median milliseconds per phase, in the order the phases first ran. */
    Map<String, Object> medians() {
        Map<String, Object> out = new LinkedHashMap<>();
        phases.forEach((k, t) -> out.put(k, Measurement.round(t.medianMs())));
        return out;
    }
}
