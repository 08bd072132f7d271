package org.qformerlab.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a step's time goes: {@link #start()} at the beginning of a step, {@link #mark} after each
 * phase, and the wall time since the previous mark is added to that phase's {@link Timings}.
 * Warm-up steps are run with recording off. Exact on a CPU, where every operation has finished
 * when the call returns; on a GPU a phase shows only the time to queue its work.
 *
 * <p>The clock also keeps the last step's phase windows ({@link #lastStep}), so that a profiler
 * trace of that step can be split by phase ({@link OperatorProfile}), and the top operators found
 * there ({@link #operators}).
 */
final class PhaseClock {

    /** One phase of the last step: from {@code startNanos} to {@code endNanos} ({@link System#nanoTime}). */
    record Window(String phase, long startNanos, long endNanos) {}

    private final Map<String, Timings> phases = new LinkedHashMap<>();
    private final List<Window> lastStep = new ArrayList<>();
    private Map<String, Object> operators;
    private boolean recording;
    private long last;

    void recording(boolean on) {
        recording = on;
    }

    void start() {
        last = System.nanoTime();
        lastStep.clear();
    }

    void mark(String phase) {
        long now = System.nanoTime();
        if (recording) {
            phases.computeIfAbsent(phase, k -> new Timings()).add(now - last);
        }
        lastStep.add(new Window(phase, last, now));
        last = now;
    }

    /** Median milliseconds per phase, in the order the phases first ran. */
    Map<String, Object> medians() {
        Map<String, Object> out = new LinkedHashMap<>();
        phases.forEach((k, t) -> out.put(k, Measurement.round(t.medianMs())));
        return out;
    }

    /** The phases of the step run last, in order. */
    List<Window> lastStep() {
        return List.copyOf(lastStep);
    }

    /** Keeps the top operators per phase of a traced step ({@link OperatorProfile#toJson}). */
    void operators(Map<String, Object> topOperators) {
        this.operators = topOperators;
    }

    /** The top operators per phase of the traced step, or null when no step was traced. */
    Map<String, Object> operators() {
        return operators;
    }
}
