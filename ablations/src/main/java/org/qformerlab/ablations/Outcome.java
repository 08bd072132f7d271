package org.qformerlab.ablations;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How one attempt at a run ended: its metrics, or why it failed. A child JVM hands it back as
 * {@code outcome.json}.
 *
 * @param metrics the experiment's metrics ({@code null} when it failed)
 * @param reason a one-line failure reason ({@code null} when it succeeded)
 * @param wallSeconds wall-clock seconds the attempt took
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Outcome(Map<String, Double> metrics, String reason, double wallSeconds) {

    static Outcome ok(Map<String, Double> metrics, double seconds) {
        return new Outcome(new LinkedHashMap<>(metrics), null, seconds);
    }

    static Outcome failed(String reason, double seconds) {
        return new Outcome(null, reason, seconds);
    }

    @JsonIgnore
    boolean isOk() {
        return reason == null && metrics != null;
    }
}
