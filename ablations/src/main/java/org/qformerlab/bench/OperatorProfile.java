package org.qformerlab.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The top operators of each phase of a profiled step: which PyTorch operators the time of
 * {@code itc}, {@code backward} or {@code adamw} went to, so that a slower step points at its cause.
 *
 * <p>DJL's profiler ({@code JniUtils.startProfile} / {@code stopProfile}, PyTorch's legacy
 * autograd profiler) writes a chrome trace: one complete event ({@code "ph": "X"}) per operator
 * call with its start {@code ts} and duration {@code dur} in microseconds since the profiler
 * started, and its thread {@code tid}. An operator's duration includes the operators it calls
 * ({@code aten::linear} calls {@code aten::addmm}), so each event's <em>self</em> time is its
 * duration less that of its direct children, found by nesting the events of a thread by time.
 * Self times add up to the time spent in operators without counting any twice.
 *
 * <p>Phases come from the {@link PhaseClock}'s windows of the traced step, placed on the trace's
 * time line by the moment the profiler started ({@code origin}, read right after starting it:
 * off by the few microseconds the start call takes to return). An operator belongs to the phase
 * in which it started; operators outside every window are counted as {@code (outside phases)}.
 */
final class OperatorProfile {

    /** How many operators each phase lists. */
    static final int TOP = 8;

    /** The phase name of operators that started outside every window. */
    static final String OUTSIDE = "(outside phases)";

    /** One operator call of a trace: start and duration in microseconds. */
    record Event(String name, long thread, double startUs, double durationUs) {
        double endUs() {
            return startUs + durationUs;
        }
    }

    /** One operator of a phase: its calls, its summed self time and its share of the phase's operator time. */
    record Operator(String name, int calls, double selfMs, double share) {}

    /**
     * One phase: its wall time in the traced step ({@code NaN} for {@link #OUTSIDE}), the self time
     * of all its operators, and the top ones by self time.
     */
    record Phase(String name, double wallMs, double operatorMs, List<Operator> top) {}

    private OperatorProfile() {}

    /** The complete events of a chrome trace: a JSON array of events, or an object with {@code traceEvents}. */
    static List<Event> read(Path trace) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Event> events = new ArrayList<>();
        try (JsonParser p = json.getFactory().createParser(trace.toFile())) {
            JsonToken first = p.nextToken();
            if (first == JsonToken.START_OBJECT) { // {"traceEvents": [...], ...}
                while (p.nextToken() == JsonToken.FIELD_NAME && !"traceEvents".equals(p.getCurrentName())) {
                    p.nextToken();
                    p.skipChildren();
                }
                first = p.nextToken();
            }
            if (first != JsonToken.START_ARRAY) {
                throw new IOException("not a chrome trace (an array of events, or an object with traceEvents): "
                        + trace);
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
                JsonNode e = json.readTree(p);
                if ("X".equals(e.path("ph").asText()) && e.hasNonNull("ts") && e.hasNonNull("dur")) {
                    events.add(new Event(e.path("name").asText(), e.path("tid").asLong(),
                            e.get("ts").asDouble(), e.get("dur").asDouble()));
                }
            }
        }
        return events;
    }

    /**
     * Each event's self time in microseconds (same order as {@code events}): its duration less the
     * durations of the events directly inside it on the same thread.
     */
    static double[] selfTimes(List<Event> events) {
        double[] self = new double[events.size()];
        Map<Long, List<Integer>> byThread = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            self[i] = events.get(i).durationUs();
            byThread.computeIfAbsent(events.get(i).thread(), k -> new ArrayList<>()).add(i);
        }
        for (List<Integer> thread : byThread.values()) {
            // outer calls first: by start, and of two starting together the longer one
            thread.sort(Comparator.<Integer>comparingDouble(i -> events.get(i).startUs())
                    .thenComparing(i -> -events.get(i).durationUs()));
            Deque<Integer> open = new ArrayDeque<>();
            for (int i : thread) {
                Event e = events.get(i);
                while (!open.isEmpty() && events.get(open.peek()).endUs() <= e.startUs()) {
                    open.pop();
                }
                if (!open.isEmpty()) {
                    self[open.peek()] -= e.durationUs();
                }
                open.push(i);
            }
        }
        for (int i = 0; i < self.length; i++) {
            self[i] = Math.max(0, self[i]);
        }
        return self;
    }

    /**
     * Splits a trace's operator time by phase.
     *
     * @param events the trace's events (microseconds since the profiler started)
     * @param windows the traced step's phases, in {@link System#nanoTime} nanoseconds
     * @param originNanos {@link System#nanoTime} when the profiler started
     * @param top how many operators to list per phase
     * @return the phases in the order they ran, then {@link #OUTSIDE} if any operator fell there
     */
    static List<Phase> byPhase(List<Event> events, List<PhaseClock.Window> windows, long originNanos, int top) {
        double[] self = selfTimes(events);
        int n = windows.size();
        double[] from = new double[n];
        double[] to = new double[n];
        Map<String, Map<String, double[]>> ops = new LinkedHashMap<>(); // phase -> name -> {calls, self us}
        Map<String, Double> wall = new LinkedHashMap<>();
        for (int w = 0; w < n; w++) {
            PhaseClock.Window window = windows.get(w);
            from[w] = (window.startNanos() - originNanos) / 1e3;
            to[w] = (window.endNanos() - originNanos) / 1e3;
            ops.computeIfAbsent(window.phase(), k -> new LinkedHashMap<>());
            wall.merge(window.phase(), (window.endNanos() - window.startNanos()) / 1e6, Double::sum);
        }
        for (int i = 0; i < events.size(); i++) {
            double start = events.get(i).startUs();
            String phase = OUTSIDE;
            for (int w = 0; w < n; w++) {
                if (start >= from[w] && start < to[w]) {
                    phase = windows.get(w).phase();
                    break;
                }
            }
            double[] acc = ops.computeIfAbsent(phase, k -> new LinkedHashMap<>())
                    .computeIfAbsent(events.get(i).name(), k -> new double[2]);
            acc[0]++;
            acc[1] += self[i];
        }
        List<Phase> out = new ArrayList<>();
        ops.forEach((phase, byName) -> {
            if (phase.equals(OUTSIDE) && byName.isEmpty()) {
                return;
            }
            double totalUs = byName.values().stream().mapToDouble(a -> a[1]).sum();
            List<Operator> list = new ArrayList<>();
            byName.forEach((name, a) -> list.add(new Operator(name, (int) a[0], a[1] / 1e3,
                    totalUs > 0 ? a[1] / totalUs : 0)));
            list.sort(Comparator.comparingDouble(Operator::selfMs).reversed().thenComparing(Operator::name));
            out.add(new Phase(phase, wall.getOrDefault(phase, Double.NaN), totalUs / 1e3,
                    List.copyOf(list.subList(0, Math.min(top, list.size())))));
        });
        return out;
    }

    /**
     * As printed in a measurement's {@code top_ops}: per phase {@code wall_ms} (absent outside the
     * phases), {@code ops_ms} and {@code top}, a list of {@code name}, {@code calls}, {@code self_ms}
     * and {@code share} (of the phase's {@code ops_ms}).
     */
    static Map<String, Object> toJson(List<Phase> phases) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Phase p : phases) {
            Map<String, Object> phase = new LinkedHashMap<>();
            if (Double.isFinite(p.wallMs())) {
                phase.put("wall_ms", Measurement.round(p.wallMs()));
            }
            phase.put("ops_ms", Measurement.round(p.operatorMs()));
            List<Object> top = new ArrayList<>();
            for (Operator o : p.top()) {
                Map<String, Object> op = new LinkedHashMap<>();
                op.put("name", o.name());
                op.put("calls", o.calls());
                op.put("self_ms", Measurement.round(o.selfMs()));
                op.put("share", Measurement.round(o.share()));
                top.add(op);
            }
            phase.put("top", top);
            out.put(p.name(), phase);
        }
        return out;
    }

    /** Reads a trace and returns its {@link #toJson} split by the windows. */
    static Map<String, Object> of(Path trace, List<PhaseClock.Window> windows, long originNanos) throws IOException {
        return toJson(byPhase(read(trace), windows, originNanos, TOP));
    }
}
