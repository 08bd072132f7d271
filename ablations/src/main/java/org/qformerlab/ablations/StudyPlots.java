package org.qformerlab.ablations;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.qformerlab.blip2.report.Charts;
import org.qformerlab.blip2.report.SampleStats;
import org.qformerlab.blip2.train.MetricsLog;

/**
 * The figures of a study, drawn with {@link Charts}: a bar chart per metric (mean over seeds, standard
 * deviation as error bars), each metric against each numeric axis, and loss curves per variant (the
 * mean over seeds of a key of the runs' {@code metrics.jsonl}, against the step).
 */
final class StudyPlots {

    /** A titled chart. */
    record Figure(String title, Chart<?, ?> chart) {
    }

    private final StudySpec spec;
    private final List<Variant> variants;
    private final ResultsTable table;

    StudyPlots(StudySpec spec, List<Variant> variants, ResultsTable table) {
        this.spec = spec;
        this.variants = variants;
        this.table = table;
    }

    List<Figure> all() throws IOException {
        List<Figure> out = new ArrayList<>();
        out.addAll(bars());
        out.addAll(vsAxis());
        out.addAll(lossCurves());
        return out;
    }

    List<Figure> bars() {
        List<Figure> out = new ArrayList<>();
        for (String metric : orAll(spec.plots().bars())) {
            Figure f = bar(metric);
            if (f != null) {
                out.add(f);
            }
        }
        return out;
    }

    /**
     * A metric by variant: mean over seeds, standard deviation as error bars; {@code null} when no
     * variant has results (variants without results are left out; the table lists their failures).
     */
    Figure bar(String metric) {
        Map<String, SampleStats> stats = new LinkedHashMap<>(table.stats(metric));
        stats.values().removeIf(s -> s.n() == 0 || !Double.isFinite(s.mean()));
        if (stats.isEmpty()) {
            return null;
        }
        List<String> names = new ArrayList<>(stats.keySet());
        double[] means = stats.values().stream().mapToDouble(SampleStats::mean).toArray();
        double[] stds = stats.values().stream().mapToDouble(SampleStats::std).toArray();
        CategoryChart chart = Charts.barsWithErrors(metric + " by variant (mean ± std over seeds)", names,
                Map.of(metric, means), Map.of(metric, stds), metric);
        chart.getStyler().setLegendVisible(false);
        if (names.size() > 4) {
            chart.getStyler().setXAxisLabelRotation(30);
        }
        return new Figure(metric + " by variant", chart);
    }

    /**
     * For each numeric axis and metric: one line per setting of the other axes, the metric's mean
     * (with its std as error bars) against the axis value. A line with a variant lacking results is
     * left out (the table lists the failure).
     */
    List<Figure> vsAxis() {
        List<Figure> out = new ArrayList<>();
        boolean zipDrawn = false;
        for (Axis axis : spec.axes()) {
            // a zip axis held constant (ITC's weight while only ITG's is switched) has nothing to plot
            // against, nor one whose value two zipped variants share (a control's learning rate): the
            // points at that value would be different variants; and the zip is drawn against its first
            // such axis only, since its other axes move with it and would draw the same points again
            boolean inZip = spec.zip().contains(axis);
            long distinct = axis.values().stream().map(JsonNode::doubleValue).distinct().count();
            if (!axis.numeric() || distinct < 2 || inZip && (distinct < axis.values().size() || zipDrawn)) {
                continue;
            }
            zipDrawn |= inZip;
            Integer[] order = new Integer[axis.values().size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (i, j) -> Double.compare(axis.values().get(i).doubleValue(), axis.values().get(j).doubleValue()));
            double[] xs = Arrays.stream(order).mapToDouble(i -> axis.values().get(i).doubleValue()).toArray();
            for (String metric : orAll(spec.plots().vsAxis())) {
                Map<String, SampleStats> stats = table.stats(metric);
                Map<String, double[]> means = new LinkedHashMap<>();
                Map<String, double[]> stds = new LinkedHashMap<>();
                for (Map.Entry<String, List<Variant>> line : linesAlong(axis, inZip).entrySet()) {
                    double[] m = new double[xs.length];
                    double[] s = new double[xs.length];
                    boolean complete = true;
                    for (int k = 0; k < xs.length; k++) {
                        Variant v = line.getValue().get(order[k]);
                        SampleStats st = v == null ? null : stats.get(v.name());
                        complete &= st != null && st.n() > 0 && Double.isFinite(st.mean());
                        m[k] = st == null ? Double.NaN : st.mean();
                        s[k] = st == null ? Double.NaN : st.std();
                    }
                    if (complete) {
                        String name = line.getKey().isEmpty() ? metric : line.getKey();
                        means.put(name, m);
                        stds.put(name, s);
                    }
                }
                if (means.isEmpty()) {
                    continue;
                }
                XYChart chart = Charts.metricVsAxis(metric + " vs " + axis.columnName(), axis.columnName(), xs, means, stds);
                chart.setYAxisTitle(metric);
                fitLegend(chart, means.size());
                out.add(new Figure(metric + " vs " + axis.columnName(), chart));
            }
        }
        return out;
    }

    /** Groups variants into lines along {@code axis}: key = the other axes' labels, value by axis index. */
    private Map<String, List<Variant>> linesAlong(Axis axis, boolean inZip) {
        Map<String, List<Variant>> lines = new LinkedHashMap<>();
        for (Variant v : variants) {
            List<String> others = new ArrayList<>();
            for (Axis a : spec.axes()) {
                boolean sameGroup = inZip ? spec.zip().contains(a) : a == axis;
                if (!sameGroup) {
                    others.add(a.label(v.coordinates().get(a.path())));
                }
            }
            String key = String.join(", ", others);
            List<Variant> line = lines.computeIfAbsent(key, k -> new ArrayList<>(
                    java.util.Collections.nCopies(axis.values().size(), (Variant) null)));
            line.set(v.coordinates().get(axis.path()), v);
        }
        return lines;
    }

    /** One chart per key of {@code plots.lossCurves}: a line per variant, the mean over its seeds. */
    List<Figure> lossCurves() throws IOException {
        List<Figure> out = new ArrayList<>();
        List<String> keys = spec.plots().lossCurves() == null ? List.of() : spec.plots().lossCurves();
        for (String key : keys) {
            Map<String, double[][]> curves = new LinkedHashMap<>();
            for (Variant v : variants) {
                TreeMap<Double, List<Double>> byStep = new TreeMap<>();
                for (RunRecord r : table.of(v)) {
                    if (!r.result().isOk() || !Files.isRegularFile(r.plan().metricsFile())) {
                        continue;
                    }
                    double[][] xy = MetricsLog.series(MetricsLog.read(r.plan().metricsFile()), "step", key);
                    for (int i = 0; i < xy[0].length; i++) {
                        byStep.computeIfAbsent(xy[0][i], s -> new ArrayList<>()).add(xy[1][i]);
                    }
                }
                if (!byStep.isEmpty()) {
                    double[] steps = byStep.keySet().stream().mapToDouble(Double::doubleValue).toArray();
                    double[] mean = byStep.values().stream()
                            .mapToDouble(l -> l.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN))
                            .toArray();
                    curves.put(v.name(), new double[][] {steps, mean});
                }
            }
            if (!curves.isEmpty()) {
                XYChart chart = Charts.lossCurves(key + " during training (mean over seeds)", curves);
                chart.setYAxisTitle(key);
                fitLegend(chart, curves.size());
                out.add(new Figure(key + " curves", chart));
            }
        }
        return out;
    }

    /** Many series do not fit in one legend row below the plot: list them to the right instead. */
    private static void fitLegend(XYChart chart, int series) {
        if (series > 4) {
            chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
            chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        }
    }

    private List<String> orAll(List<String> names) {
        return names != null ? names : spec.metrics().stream().map(MetricSpec::name).toList();
    }
}
