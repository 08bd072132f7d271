package org.qformerlab.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One benchmark result: an ordered set of named values printed as one line of JSON. Common fields
 * come from {@link #timed}; each benchmark adds its own with {@link #put}.
 */
public final class Measurement {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Object> fields = new LinkedHashMap<>();

    public Measurement(String name, BenchConfig config) {
        fields.put("name", name);
        fields.put("config", config.describe());
    }

    public Measurement put(String key, Object value) {
        fields.put(key, value);
        return this;
    }

    /**
     * The standard fields of a timed, repeated operation: median/min/max milliseconds per
     * repetition, samples/s at the median, and, given the analytic FLOPs of one repetition, the
     * achieved GFLOP/s and its ratio to the matmul measured in the same process.
     */
    public Measurement timed(Timings t, int samplesPerRep, double flopsPerRep, BenchEnvironment env) {
        double median = t.medianMs();
        env.probe(); // the reference measured again right after the timed work
        put("steps", t.count());
        put("median_ms", round(median));
        put("min_ms", round(t.minMs()));
        put("max_ms", round(t.maxMs()));
        put("samples_per_s", round(samplesPerRep / (median / 1000)));
        put("flops_per_step", (long) flopsPerRep);
        double achieved = flopsPerRep / (median / 1000) / 1e9;
        put("achieved_gflops", round(achieved));
        put("matmul_gflops", round(env.matmulGflops()));
        put("matmul_size", env.matmulSize());
        put("efficiency", round(achieved / env.matmulGflops()));
        return this;
    }

    /**
     * Where the time went: the median milliseconds per phase ({@code phases_ms}) and, when a step
     * was traced ({@code --trace}), the top operators of each phase ({@code top_ops}, see
     * {@link OperatorProfile#toJson}).
     */
    Measurement phases(PhaseClock clock) {
        put("phases_ms", clock.medians());
        if (clock.operators() != null) {
            put("top_ops", clock.operators());
        }
        return this;
    }

    /** Peak resident memory, engine, device, precision and threads: call last. */
    public Measurement environment(BenchEnvironment env) {
        put("peak_rss_mb", PeakMemory.peakResidentMb());
        put("engine", env.engine());
        put("device", env.device().toString());
        put("dtype", env.precision().label());
        put("threads", env.threads());
        return this;
    }

    public Map<String, Object> fields() {
        return Collections.unmodifiableMap(fields);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write measurement as JSON: " + e.getMessage(), e);
        }
    }

    /** Four significant digits: enough for timings that vary by more than that from run to run. */
    static double round(double x) {
        if (!Double.isFinite(x) || x == 0) {
            return x;
        }
        return new java.math.BigDecimal(x).round(new java.math.MathContext(4)).doubleValue();
    }
}
