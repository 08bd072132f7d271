package org.qformerlab.blip2.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.qformerlab.blip2.checkpoint.AtomicFiles;

/**
 * Builds the charts of QFormer Lab's reports and notebooks with XChart, in one consistent style
 * (800x500, white, legend below), and writes them as PNG or SVG.
 *
 * <p>Series data for curves is a {@code double[][]} of two rows, {@code {xs, ys}} — the shape
 * {@link org.qformerlab.blip2.train.MetricsLog#series} returns. Points whose value is not finite
 * (and, on a log axis, not positive) are left out, so a diverged run shows a gap rather than
 * breaking the chart.
 *
 * <pre>{@code
 * XYChart chart = Charts.lossCurves("stage 1", Map.of("itc", MetricsLog.series(rows, "step", "itc")));
 * Charts.savePng(chart, Path.of("out/loss.png"));
 * }</pre>
 */
public final class Charts {

    static {
        Headless.ensure();
    }

    private Charts() {
    }

    /** Loss curves on a linear y axis; see {@link #lossCurves(String, Map, boolean)}. */
    public static XYChart lossCurves(String title, Map<String, double[][]> seriesByName) {
        return lossCurves(title, seriesByName, false);
    }

    /**
     * Loss curves: x is the training step, y the loss; one line per entry (a loss term, or a variant).
     * A sparse series (a validation every few hundred steps) marks its points.
     *
     * @param seriesByName name to {@code {steps, values}}
     * @param logY plot y on a log scale (non-positive values are left out)
     * @throws IllegalArgumentException if a series is not two rows of equal length
     */
    public static XYChart lossCurves(String title, Map<String, double[][]> seriesByName, boolean logY) {
        XYChart chart = xyChart(title, "step", "loss");
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setYAxisLogarithmicDecadeOnly(false);
        chart.getStyler().setMarkerSize(6);
        double[][] first = null;
        for (Map.Entry<String, double[][]> entry : seriesByName.entrySet()) {
            double[][] points = Plottable.points(entry.getKey(), entry.getValue(), logY);
            if (points[0].length > 0) {
                XYSeries series = chart.addSeries(entry.getKey(), points[0], points[1]);
                // a validation curve has a handful of points, each a measurement: mark them
                series.setMarker(points[0].length <= MARKED_POINTS ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
                first = first == null ? points : first;
            }
        }
        if (first != null && first[0].length > 1) {
            roundStepTicks(chart, first);
        }
        return chart;
    }

    /** Series of at most this many points (validations, not steps) draw a marker on each. */
    static final int MARKED_POINTS = 30;

    /** The name of the hidden series {@link #roundStepTicks} adds. */
    static final String STEP_TICKS = "(hidden: round step ticks)";

    /**
     * When every x value of a chart is equally spaced, as training steps are, XChart (3.8) puts a
     * tick on every n-th data point with the smallest n whose labels still fit side by side: over a
     * few hundred steps they touch and read as one number ("1 26 51 76 101126151..."). One hidden
     * point between the first two x values of {@code points} breaks the equal spacing, and XChart
     * falls back to round ticks (0, 100, 200, ...). The point lies inside the data's range, has
     * no legend entry and draws nothing.
     */
    private static void roundStepTicks(XYChart chart, double[][] points) {
        XYSeries anchor = chart.addSeries(STEP_TICKS, new double[] {(points[0][0] + points[0][1]) / 2},
                new double[] {points[1][0]});
        anchor.setShowInLegend(false);
        anchor.setMarker(SeriesMarkers.NONE);
        anchor.setLineStyle(SeriesLines.NONE);
    }

    /**
     * Grouped bars with error bars: one group per category, one bar per series in it.
     *
     * @param categories the x-axis categories, e.g. {@code ["R@1", "R@5", "R@10"]}
     * @param means series name to one mean per category
     * @param stds series name to one standard deviation per category; {@code null}, or a series
     *     missing from it, means no error bars for that series
     */
    public static CategoryChart barsWithErrors(String title, List<String> categories,
            Map<String, double[]> means, Map<String, double[]> stds, String yLabel) {
        CategoryChart chart = new CategoryChart(ChartStyle.WIDTH, ChartStyle.HEIGHT);
        chart.setTitle(title);
        chart.setYAxisTitle(yLabel);
        ChartStyle.apply(chart.getStyler());
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        for (Map.Entry<String, double[]> entry : means.entrySet()) {
            String name = entry.getKey();
            double[] values = Plottable.checkLength(name, "means", entry.getValue(), categories.size());
            double[] errors = stds == null ? null : stds.get(name);
            CategorySeries series = errors == null
                    ? chart.addSeries(name, categories, boxed(values))
                    : chart.addSeries(name, categories, boxed(values),
                            boxed(Plottable.checkLength(name, "stds", errors, categories.size())));
            series.setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    /**
     * A metric against an ablation axis (query count, loss weight, ...): one line with markers and
     * error bars per series.
     *
     * @param axisName the x-axis title, e.g. {@code "num queries"}
     * @param axisValues the x positions shared by all series
     * @param means series name to one mean per axis value
     * @param stds series name to one standard deviation per axis value; {@code null} or a missing
     *     series means no error bars
     */
    public static XYChart metricVsAxis(String title, String axisName, double[] axisValues,
            Map<String, double[]> means, Map<String, double[]> stds) {
        XYChart chart = xyChart(title, axisName, "");
        for (Map.Entry<String, double[]> entry : means.entrySet()) {
            String name = entry.getKey();
            double[] values = Plottable.checkLength(name, "means", entry.getValue(), axisValues.length);
            double[] errors = stds == null ? null : stds.get(name);
            if (errors == null) {
                chart.addSeries(name, axisValues, values);
            } else {
                chart.addSeries(name, axisValues, values,
                        Plottable.checkLength(name, "stds", errors, axisValues.length));
            }
        }
        return chart;
    }

    /**
     * Retrieval recall bars: categories {@code R@k} for each k, one bar per variant.
     *
     * @param recallByVariant variant name to one recall per k
     */
    public static CategoryChart recallBars(String title, int[] ks, Map<String, double[]> recallByVariant) {
        return recallBars(title, ks, recallByVariant, null);
    }

    /** As {@link #recallBars(String, int[], Map)}, with standard deviations as error bars. */
    public static CategoryChart recallBars(String title, int[] ks, Map<String, double[]> recallByVariant,
            Map<String, double[]> stds) {
        List<String> categories = new ArrayList<>(ks.length);
        for (int k : ks) {
            categories.add("R@" + k);
        }
        CategoryChart chart = barsWithErrors(title, categories, recallByVariant, stds, "recall");
        chart.getStyler().setYAxisMin(0.0);
        return chart;
    }

    /** Encodes the chart as PNG bytes at its own size (for notebook display). */
    public static byte[] toPngBytes(Chart<?, ?> chart) throws IOException {
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }

    /** Encodes the chart as an SVG document. */
    public static String toSvg(Chart<?, ?> chart) throws IOException {
        ByteArrayOutputStream svg = new ByteArrayOutputStream();
        VectorGraphicsEncoder.saveVectorGraphic(chart, svg, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        return svg.toString(StandardCharsets.UTF_8);
    }

    /** Writes the chart as PNG to exactly {@code file} (no extension added), atomically. */
    public static void savePng(Chart<?, ?> chart, Path file) throws IOException {
        AtomicFiles.write(file, toPngBytes(chart));
    }

    /** Writes the chart as SVG to exactly {@code file} (no extension added), atomically. */
    public static void saveSvg(Chart<?, ?> chart, Path file) throws IOException {
        AtomicFiles.write(file, toSvg(chart).getBytes(StandardCharsets.UTF_8));
    }

    private static XYChart xyChart(String title, String xLabel, String yLabel) {
        XYChart chart = new XYChart(ChartStyle.WIDTH, ChartStyle.HEIGHT);
        chart.setTitle(title);
        chart.setXAxisTitle(xLabel);
        chart.setYAxisTitle(yLabel);
        ChartStyle.apply(chart.getStyler());
        return chart;
    }

    private static List<Double> boxed(double[] values) {
        List<Double> boxed = new ArrayList<>(values.length);
        for (double v : values) {
            boxed.add(Double.isFinite(v) ? v : null);
        }
        return boxed;
    }
}
