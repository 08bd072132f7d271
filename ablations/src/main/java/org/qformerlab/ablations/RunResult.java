package org.qformerlab.ablations;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How one run ended, as stored in its {@code result.json}.
 *
 * @param variant the variant's name
 * @param seed the seed
 * @param status {@code ok} or {@code failed}
 * @param metrics the metrics the experiment returned (empty when it failed)
 * @param wallSeconds wall-clock seconds of the last attempt
 * @param reason why it failed ({@code null} when ok)
 * @param attempts how many attempts it took
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunResult(String variant, long seed, String status, Map<String, Double> metrics,
        double wallSeconds, String reason, int attempts) {

    public static final String OK = "ok";
    public static final String FAILED = "failed";

    public RunResult {
        metrics = metrics == null ? Map.of() : new LinkedHashMap<>(metrics);
    }

    /** The result of a run's last attempt, after {@code attempts} attempts. */
    static RunResult of(String variant, long seed, Outcome last, int attempts) {
        return new RunResult(variant, seed, last.isOk() ? OK : FAILED,
                last.isOk() ? last.metrics() : Map.of(), last.wallSeconds(), last.reason(), attempts);
    }

    /** A run that failed without an attempt's outcome (it never ran, or was killed from outside). */
    static RunResult failed(RunPlan plan, String reason) {
        return new RunResult(plan.variant().name(), plan.seed(), FAILED, null, 0, reason, 0);
    }

    /** True when the run finished and returned its metrics. */
    @JsonIgnore
    public boolean isOk() {
        return OK.equals(status);
    }
}
