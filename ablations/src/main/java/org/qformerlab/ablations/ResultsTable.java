package org.qformerlab.ablations;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.qformerlab.blip2.report.SampleStats;
import org.qformerlab.blip2.report.Tables;
import tech.tablesaw.api.Table;

/**
 * The tables of a study: one row per run, and the summary with one row per variant — mean and sample
 * standard deviation over seeds of every metric, {@code n} finished runs, {@code failed} runs and
 * their reasons — so that a failed run shows in the table instead of vanishing from the means.
 */
public final class ResultsTable {

    /**
     * Costs an experiment may report beside its metrics; shown (as means) when present: trainable
     * parameters and throughput.
     */
    public static final List<String> COSTS = List.of("trainable_params", "steps_per_s", "samples_per_s");

    private final StudySpec spec;
    private final List<Variant> variants;
    private final List<RunRecord> records;

    ResultsTable(StudySpec spec, List<Variant> variants, List<RunRecord> records) {
        this.spec = spec;
        this.variants = variants;
        this.records = records;
    }

    /** The cost columns some finished run reported and the spec does not list as metrics. */
    List<String> costs() {
        List<String> out = new ArrayList<>();
        for (String c : COSTS) {
            if (spec.metric(c) == null && records.stream().anyMatch(r -> r.result().metrics().containsKey(c))) {
                out.add(c);
            }
        }
        return out;
    }

    /** A metric's statistics per variant name (finished runs only), in variant order. */
    Map<String, SampleStats> stats(String metric) {
        Map<String, SampleStats> out = new LinkedHashMap<>();
        for (Variant v : variants) {
            out.put(v.name(), SampleStats.of(values(v, metric)));
        }
        return out;
    }

    /** One row per variant: axes, n, failed, metric means and stds, costs, wall time, failures. */
    public Table summary() {
        boolean anyFailed = records.stream().anyMatch(r -> !r.result().isOk());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Variant v : variants) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("variant", v.name());
            row.putAll(v.cells());
            List<RunRecord> mine = of(v);
            row.put("n", (double) mine.stream().filter(r -> r.result().isOk()).count());
            row.put("failed", (double) mine.stream().filter(r -> !r.result().isOk()).count());
            for (MetricSpec m : spec.metrics()) {
                SampleStats s = SampleStats.of(values(v, m.name()));
                row.put(m.name() + "_mean", s.mean());
                row.put(m.name() + "_std", s.std());
            }
            for (String c : costs()) {
                row.put(c, SampleStats.of(values(v, c)).mean());
            }
            row.put("wall_s", SampleStats.of(mine.stream().filter(r -> r.result().isOk())
                    .mapToDouble(r -> r.result().wallSeconds()).toArray()).mean());
            if (anyFailed) {
                List<String> reasons = new ArrayList<>();
                for (RunRecord r : mine) {
                    if (!r.result().isOk()) {
                        reasons.add("seed " + r.plan().seed() + ": " + r.result().reason());
                    }
                }
                row.put("failures", String.join("; ", reasons));
            }
            rows.add(row);
        }
        return Tables.fromRows(spec.name(), rows);
    }

    /** One row per run: variant, axes, seed, status, metrics, costs, wall time, attempts, reason. */
    public Table runs() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (RunRecord r : records) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("variant", r.plan().variant().name());
            row.putAll(r.plan().variant().cells());
            row.put("seed", (double) r.plan().seed());
            row.put("status", r.result().status());
            for (MetricSpec m : spec.metrics()) {
                row.put(m.name(), r.result().metrics().get(m.name()));
            }
            for (String c : costs()) {
                row.put(c, r.result().metrics().get(c));
            }
            row.put("wall_s", r.result().wallSeconds());
            row.put("attempts", (double) r.result().attempts());
            row.put("reason", r.result().reason() == null ? "" : r.result().reason());
            rows.add(row);
        }
        return Tables.fromRows(spec.name() + " runs", rows);
    }

    /** The failed runs: variant, seed, attempts and reason. */
    public Table failures() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (RunRecord r : records) {
            if (!r.result().isOk()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("variant", r.plan().variant().name());
                row.put("seed", (double) r.plan().seed());
                row.put("attempts", (double) r.result().attempts());
                row.put("reason", r.result().reason());
                rows.add(row);
            }
        }
        return Tables.fromRows(spec.name() + " failures", rows);
    }

    /** A metric's value per seed, per variant name (finished runs only), in variant order. */
    Map<String, Map<Long, Double>> bySeed(String metric) {
        Map<String, Map<Long, Double>> out = new LinkedHashMap<>();
        for (Variant v : variants) {
            Map<Long, Double> values = new TreeMap<>();
            for (RunRecord r : of(v)) {
                Double x = r.result().metrics().get(metric);
                if (r.result().isOk() && x != null) {
                    values.put(r.plan().seed(), x);
                }
            }
            out.put(v.name(), values);
        }
        return out;
    }

    List<RunRecord> of(Variant v) {
        return records.stream().filter(r -> r.plan().variant().slug().equals(v.slug())).toList();
    }

    private double[] values(Variant v, String metric) {
        return of(v).stream().filter(r -> r.result().isOk())
                .mapToDouble(r -> {
                    Double x = r.result().metrics().get(metric);
                    return x == null ? Double.NaN : x;
                })
                .toArray();
    }
}
