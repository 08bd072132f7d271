package org.qformerlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Splitting a profiler trace by phase, on a hand-written trace whose self times and shares are
 * worked out below, and on a real traced step at the tiny size.
 */
class OperatorProfileTest {

    /** The profiler started at this {@link System#nanoTime}; the phases are placed after it. */
    private static final long ORIGIN = 5_000_000_000L;

    /** forward: [0, 200) us after the profiler started; backward: [200, 500) us. */
    private static final List<PhaseClock.Window> WINDOWS = List.of(
            new PhaseClock.Window("forward", ORIGIN, ORIGIN + 200_000),
            new PhaseClock.Window("backward", ORIGIN + 200_000, ORIGIN + 500_000));

    /**
     * Written as DJL writes it: each call when it returns, so children before their parents.
     *
     * <pre>
     * thread 1, forward:   linear  [0, 100)      self 100 - 60 - 5 = 35
     *                        addmm [10, 70)      self 60 - 10 = 50
     *                          copy_ [20, 30)    self 10
     *                        t     [75, 80)      self 5
     *                      add     [120, 150)    self 30            forward: 130 us of operators
     * thread 1, backward:  evaluate_function [210, 410)  self 200 - 190 = 10
     *                        AddmmBackward0 [210, 400)   self 190 - 160 = 30 (same start: the shorter is inside)
     *                          mm [220, 300), mm [310, 390)  self 80 each
     * thread 2, backward:  mm [250, 350)  self 100 (another thread: not inside thread 1's calls)
     *                                                  backward: 10 + 30 + 260 = 300 us of operators
     * outside:             empty [600, 604)  self 4
     * </pre>
     */
    private static final String TRACE = """
            [
            {"name": "aten::copy_", "ph": "X", "ts": 20.0, "dur": 10.0, "tid": 1, "pid": "CPU Functions", "shape": [[2, 3]], "cpu mem": "0 b", "args": {}},
            {"name": "aten::addmm", "ph": "X", "ts": 10.0, "dur": 60.0, "tid": 1, "pid": "CPU Functions", "shape": [], "cpu mem": "0 b", "args": {}},
            {"name": "aten::t", "ph": "X", "ts": 75.0, "dur": 5.0, "tid": 1, "pid": "CPU Functions", "shape": [], "cpu mem": "0 b", "args": {}},
            {"name": "aten::linear", "ph": "X", "ts": 0.0, "dur": 100.0, "tid": 1, "pid": "CPU Functions", "shape": [], "cpu mem": "0 b", "args": {}},
            {"name": "aten::add", "ph": "X", "ts": 120.0, "dur": 30.0, "tid": 1, "pid": "CPU Functions", "shape": [], "cpu mem": "0 b", "args": {}},
            {"name": "aten::mm", "ph": "X", "ts": 220.0, "dur": 80.0, "tid": 1, "pid": "CPU Functions", "shape": [], "cpu mem": "0 b", "args": {}},
            {"name": "aten::mm", "ph": "X", "ts": 250.0, "dur": 100.0, "tid": 2, "pid": "CPU Functions", "shape": [], "cpu mem": "0 b", "args": {}},
            {"name": "aten::mm", "ph": "X", "ts": 310.0, "dur": 80.0, "tid": 1, "pid": "CPU Functions", "shape": [], "cpu mem": "0 b", "args": {}},
            {"name": "AddmmBackward0", "ph": "X", "ts": 210.0, "dur": 190.0, "tid": 1, "pid": "CPU Functions", "shape": [], "cpu mem": "0 b", "args": {}},
            {"name": "autograd::engine::evaluate_function: AddmmBackward0", "ph": "X", "ts": 210.0, "dur": 200.0, "tid": 1, "pid": "CPU Functions", "shape": [], "cpu mem": "0 b", "args": {}},
            {"name": "aten::empty", "ph": "X", "ts": 600.0, "dur": 4.0, "tid": 1, "pid": "CPU Functions", "shape": [], "cpu mem": "0 b", "args": {}},
            {"name": "process_name", "ph": "M", "pid": "CPU Functions", "args": {"name": "not an operator"}}
            ]
            """;

    @Test
    void selfTimeIsTheDurationLessTheDirectChildrenOnTheSameThread(@TempDir Path dir) throws Exception {
        List<OperatorProfile.Event> events = OperatorProfile.read(write(dir, TRACE));
        assertEquals(11, events.size(), "the metadata event is not an operator");
        double[] self = OperatorProfile.selfTimes(events);
        // in file order: copy_, addmm, t, linear, add, mm, mm (thread 2), mm, AddmmBackward0, evaluate_function, empty
        double[] expected = {10, 50, 5, 35, 30, 80, 100, 80, 30, 10, 4};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], self[i], 1e-9, events.get(i).name() + " at " + events.get(i).startUs());
        }
    }

    @Test
    void operatorsGoToThePhaseTheyStartInRankedBySelfTime(@TempDir Path dir) throws Exception {
        List<OperatorProfile.Phase> phases =
                OperatorProfile.byPhase(OperatorProfile.read(write(dir, TRACE)), WINDOWS, ORIGIN, 3);
        assertEquals(List.of("forward", "backward", OperatorProfile.OUTSIDE),
                phases.stream().map(OperatorProfile.Phase::name).toList());

        OperatorProfile.Phase forward = phases.get(0);
        assertEquals(0.2, forward.wallMs(), 1e-12);
        assertEquals(0.130, forward.operatorMs(), 1e-12);
        // the top 3 of five: addmm 50/130, linear 35/130, add 30/130 (copy_ and t left off)
        assertOperator(forward.top().get(0), "aten::addmm", 1, 0.050, 50.0 / 130);
        assertOperator(forward.top().get(1), "aten::linear", 1, 0.035, 35.0 / 130);
        assertOperator(forward.top().get(2), "aten::add", 1, 0.030, 30.0 / 130);
        assertEquals(3, forward.top().size());

        OperatorProfile.Phase backward = phases.get(1);
        assertEquals(0.3, backward.wallMs(), 1e-12);
        assertEquals(0.300, backward.operatorMs(), 1e-12);
        assertOperator(backward.top().get(0), "aten::mm", 3, 0.260, 260.0 / 300);
        assertOperator(backward.top().get(1), "AddmmBackward0", 1, 0.030, 30.0 / 300);
        assertOperator(backward.top().get(2), "autograd::engine::evaluate_function: AddmmBackward0", 1, 0.010,
                10.0 / 300);

        OperatorProfile.Phase outside = phases.get(2);
        assertTrue(Double.isNaN(outside.wallMs()), "no wall time outside the phases");
        assertOperator(outside.top().get(0), "aten::empty", 1, 0.004, 1.0);
    }

    @Test
    void jsonHasWallOperatorTimeAndTheTopListPerPhase(@TempDir Path dir) throws Exception {
        // Kineto's layout: an object whose traceEvents hold the events
        Path trace = write(dir, "{\"schemaVersion\": 1, \"deviceProperties\": [{\"id\": 0}], \"traceEvents\": "
                + TRACE + ", \"displayTimeUnit\": \"ms\"}");
        Map<String, Object> json = OperatorProfile.of(trace, WINDOWS, ORIGIN);
        @SuppressWarnings("unchecked")
        Map<String, Object> backward = (Map<String, Object>) json.get("backward");
        assertEquals(0.3, backward.get("wall_ms"));
        assertEquals(0.3, backward.get("ops_ms"));
        List<?> top = (List<?>) backward.get("top");
        assertEquals(3, top.size(), "all three of backward's operators (the top is " + OperatorProfile.TOP + ")");
        assertEquals(Map.of("name", "aten::mm", "calls", 3, "self_ms", 0.26, "share", 0.8667), top.get(0));
        @SuppressWarnings("unchecked")
        Map<String, Object> forward = (Map<String, Object>) json.get("forward");
        assertEquals(5, ((List<?>) forward.get("top")).size());
        @SuppressWarnings("unchecked")
        Map<String, Object> outside = (Map<String, Object>) json.get(OperatorProfile.OUTSIDE);
        assertFalse(outside.containsKey("wall_ms"));
        assertTrue(new Measurement("x", TinyBench.config()).put("top_ops", json).toJson().contains("\"aten::addmm\""),
                "serialisable");
    }

    @Test
    void notATraceIsAnErrorNamingTheFile(@TempDir Path dir) throws Exception {
        Path bad = write(dir, "\"hello\"");
        var e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> OperatorProfile.read(bad));
        assertTrue(e.getMessage().contains("not a chrome trace") && e.getMessage().contains(bad.toString()),
                e.getMessage());
    }

    /** A real traced stage-1 step: every phase lists operators, and forward phases hold no backward functions. */
    @Test
    void tracedStage1StepListsTopOperatorsForEveryPhase(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("stage1.json");
        Map<String, Object> f = traced(new Stage1StepBenchmark(), trace);
        assertTrue(Files.size(trace) > 0, "the trace is written");
        Map<String, Map<String, Object>> ops = topOps(f);
        assertEquals(List.of("image", "itc", "itm", "itg", "loss", "backward", "clip", "adamw"),
                ops.keySet().stream().filter(k -> !k.equals(OperatorProfile.OUTSIDE)).toList());
        for (String phase : List.of("image", "itc", "itm", "itg", "loss")) {
            for (Map<String, Object> op : top(ops.get(phase))) {
                assertFalse(((String) op.get("name")).contains("Backward"), phase + " holds " + op);
            }
        }
        assertTrue(top(ops.get("backward")).stream().anyMatch(op -> ((String) op.get("name")).contains("Backward")),
                "backward's top operators: " + ops.get("backward"));
    }

    /** A real traced stage-2 step: the same, for its phases. */
    @Test
    void tracedStage2StepListsTopOperatorsForEveryPhase(@TempDir Path dir) throws Exception {
        Map<String, Map<String, Object>> ops = topOps(traced(new Stage2StepBenchmark(), dir.resolve("stage2.json")));
        assertEquals(List.of("qformer", "llm_forward", "backward", "clip", "adamw"),
                ops.keySet().stream().filter(k -> !k.equals(OperatorProfile.OUTSIDE)).toList());
    }

    private static Map<String, Object> traced(Benchmark b, Path trace) throws Exception {
        List<Measurement> ms = b.run(TinyBench.config(), TinyBench.cpu().withTrace(trace));
        return ms.get(0).fields();
    }

    /** Checks every phase's list (non-empty, at most TOP, ranked, shares that add up to at most 1). */
    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> topOps(Map<String, Object> fields) {
        Map<String, Map<String, Object>> ops = (Map<String, Map<String, Object>>) fields.get("top_ops");
        assertTrue(ops != null, "top_ops in " + fields.keySet());
        ops.forEach((phase, p) -> {
            List<Map<String, Object>> top = top(p);
            assertFalse(top.isEmpty(), phase + " lists no operators");
            assertTrue(top.size() <= OperatorProfile.TOP, phase + ": " + top.size());
            assertTrue(((Number) p.get("ops_ms")).doubleValue() > 0, phase + ": " + p);
            double previous = Double.MAX_VALUE;
            double shares = 0;
            for (Map<String, Object> op : top) {
                double self = ((Number) op.get("self_ms")).doubleValue();
                assertTrue(self <= previous, phase + " is not ranked: " + top);
                assertTrue((Integer) op.get("calls") >= 1, phase + ": " + op);
                previous = self;
                shares += ((Number) op.get("share")).doubleValue();
            }
            assertTrue(shares > 0 && shares <= 1.001, phase + " shares add up to " + shares);
        });
        return ops;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> top(Map<String, Object> phase) {
        return (List<Map<String, Object>>) phase.get("top");
    }

    private static void assertOperator(OperatorProfile.Operator op, String name, int calls, double selfMs, double share) {
        assertEquals(name, op.name());
        assertEquals(calls, op.calls(), name);
        assertEquals(selfMs, op.selfMs(), 1e-12, name);
        assertEquals(share, op.share(), 1e-12, name);
    }

    private static Path write(Path dir, String text) throws Exception {
        Path p = dir.resolve("trace.json");
        Files.writeString(p, text);
        return p;
    }
}
