package org.qformerlab.kernel.magic;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;
import org.qformerlab.bench.Measurement;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Benchmark measurements as {@code %bench} shows them: one table row each, a phase plot and a roofline plot. */
final class BenchResults {

    private record Row(String benchmark, String variant, Map<String, Object> fields) {
        String label() {
            return benchmark + " " + variant;
        }

        double number(String key) {
            Object v = fields.get(key);
            return v instanceof Number n ? n.doubleValue() : Double.NaN;
        }
    }

    private final List<Row> rows = new ArrayList<>();

    void add(String variant, Measurement m) {
        rows.add(new Row(String.valueOf(m.fields().get("name")), variant, m.fields()));
    }

    /** {@code queries=8} for the varied sizes; the named config when nothing varies. */
    static String label(Map<String, Integer> variant, List<String> varied, String configName) {
        if (varied.isEmpty()) {
            return configName;
        }
        return varied.stream().map(o -> o + "=" + variant.get(o)).collect(Collectors.joining(", "));
    }

    Table table() {
        StringColumn bench = StringColumn.create("benchmark");
        StringColumn variant = StringColumn.create("variant");
        DoubleColumn ms = DoubleColumn.create("ms/step");
        DoubleColumn samples = DoubleColumn.create("samples/s");
        DoubleColumn achieved = DoubleColumn.create("achieved GFLOP/s");
        DoubleColumn matmul = DoubleColumn.create("matmul GFLOP/s");
        DoubleColumn efficiency = DoubleColumn.create("of matmul");
        DoubleColumn rss = DoubleColumn.create("peak RSS MB");
        StringColumn phases = StringColumn.create("ms per phase");
        for (Row r : rows) {
            bench.append(r.benchmark());
            variant.append(r.variant());
            ms.append(r.number("median_ms"));
            samples.append(r.number("samples_per_s"));
            achieved.append(r.number("achieved_gflops"));
            matmul.append(r.number("matmul_gflops"));
            efficiency.append(r.number("efficiency"));
            rss.append(r.number("peak_rss_mb"));
            phases.append(phases(r).entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                    .collect(Collectors.joining(", ")));
        }
        return Table.create("benchmarks", bench, variant, ms, samples, achieved, matmul, efficiency, rss, phases);
    }

    /** Time per phase, one stacked bar per row (rows without phases show their whole step). */
    CategoryChart phaseChart() {
        CategoryChart chart = new CategoryChartBuilder().width(720).height(360).title("time per phase")
                .xAxisTitle("benchmark, variant").yAxisTitle("ms per step (median)").build();
        chart.getStyler().setStacked(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisLabelRotation(20);
        List<String> labels = rows.stream().map(Row::label).toList();
        Map<String, List<Double>> byPhase = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            Map<String, Double> p = phases(rows.get(i));
            if (p.isEmpty()) {
                p = Map.of("step", rows.get(i).number("median_ms"));
            }
            for (Map.Entry<String, Double> e : p.entrySet()) {
                byPhase.computeIfAbsent(e.getKey(), k -> zeros(rows.size())).set(i, e.getValue());
            }
        }
        byPhase.forEach((phase, values) -> chart.addSeries(phase, labels, values));
        return chart;
    }

    /** Achieved GFLOP/s of each row beside the same-run matmul: how far from the roofline each step is. */
    CategoryChart rooflineChart() {
        CategoryChart chart = new CategoryChartBuilder().width(720).height(360)
                .title("achieved against the matmul roofline").xAxisTitle("benchmark, variant").yAxisTitle("GFLOP/s").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setXAxisLabelRotation(20);
        List<String> labels = rows.stream().map(Row::label).toList();
        chart.addSeries("achieved", labels, rows.stream().map(r -> finite(r.number("achieved_gflops"))).toList());
        chart.addSeries("matmul (same run)", labels, rows.stream().map(r -> finite(r.number("matmul_gflops"))).toList());
        return chart;
    }

    private static Map<String, Double> phases(Row r) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (r.fields().get("phases_ms") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if (v instanceof Number n) {
                    out.put(String.valueOf(k), n.doubleValue());
                }
            });
        }
        return out;
    }

    private static List<Double> zeros(int n) {
        List<Double> z = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            z.add(0.0);
        }
        return z;
    }

    private static double finite(double x) {
        return Double.isFinite(x) ? x : 0;
    }
}
