package org.qformerlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

/** A tiny size and a CPU environment for running benchmarks in tests (no timing assertions). */
final class TinyBench {

    private TinyBench() {}

    /** hidden 16, 2 layers, 2 heads, 4 queries, vision width 12, 5 patches, text 6, vocab 20, batch 3, 1 + 2 steps. */
    static BenchConfig config() {
        return new BenchConfig("tiny", "test", 16, 2, 2, 32, 4, 2, 12, 5, 6, 20, 8, 3, 2, 1);
    }

    static BenchEnvironment cpu() {
        return BenchEnvironment.resolve("cpu", "float32", 32);
    }

    /** Runs a benchmark at the tiny size; checks the fields every measurement has; returns its fields. */
    static Map<String, Object> runOnce(Benchmark b) throws Exception {
        return runOnce(b, config());
    }

    /** As {@link #runOnce(Benchmark)}, at the given sizes. */
    static Map<String, Object> runOnce(Benchmark b, BenchConfig config) throws Exception {
        List<Measurement> ms = b.run(config, cpu());
        assertEquals(1, ms.size());
        Map<String, Object> f = ms.get(0).fields();
        assertEquals(b.name(), f.get("name"));
        assertEquals(2, f.get("steps"));
        for (String k : List.of("median_ms", "min_ms", "max_ms", "samples_per_s", "achieved_gflops", "peak_rss_mb")) {
            assertTrue(number(f, k) > 0, k + " = " + f.get(k));
        }
        assertTrue(number(f, "min_ms") <= number(f, "median_ms") && number(f, "median_ms") <= number(f, "max_ms"));
        assertEquals("float32", f.get("dtype"));
        ms.get(0).toJson(); // serialisable
        return f;
    }

    static double number(Map<String, Object> f, String key) {
        Object v = f.get(key);
        assertTrue(v instanceof Number, key + " is not a number: " + v);
        return ((Number) v).doubleValue();
    }
}
