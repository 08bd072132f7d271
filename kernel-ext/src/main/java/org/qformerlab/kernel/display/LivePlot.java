package org.qformerlab.kernel.display;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.qformerlab.blip2.report.Charts;

/**
 * A loss plot that redraws in place while a model trains:
 * {@code LivePlot plot = LivePlot.start("stage-1 losses"); plot.add("itc", step, itc); ... plot.finish();}.
 *
 * <p>One line per series name (a loss term, a variant), drawn by {@link Charts#lossCurves} so that
 * the live plot looks like the report's. Redraws are throttled (a chart is a PNG of tens of
 * kilobytes); {@link #finish()} always draws the final curves.
 */
public final class LivePlot {

    private static final long DEFAULT_INTERVAL_MILLIS = 2000;

    private final DisplaySink sink;
    private final String title;
    private final boolean logY;
    private final Throttle throttle;
    private final Map<String, List<double[]>> points = new LinkedHashMap<>();
    private String displayId;

    LivePlot(DisplaySink sink, String title, boolean logY, long intervalMillis) {
        this.sink = sink;
        this.title = title;
        this.logY = logY;
        this.throttle = new Throttle(intervalMillis, System::nanoTime);
    }

    /** Shows an empty plot in the notebook. */
    public static LivePlot start(String title) {
        return start(Notebook.sink(), title, false, DEFAULT_INTERVAL_MILLIS);
    }

    /** Shows an empty plot on {@code sink}, redrawing at most every {@code intervalMillis}. */
    public static LivePlot start(DisplaySink sink, String title, boolean logY, long intervalMillis) {
        LivePlot plot = new LivePlot(sink, title, logY, intervalMillis);
        plot.displayId = sink.display(plot.view());
        return plot;
    }

    /** Adds the point (step, value) to the series {@code name}; redraws when due. */
    public synchronized void add(String name, double step, double value) {
        points.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[] {step, value});
        if (throttle.ready()) {
            sink.update(displayId, view());
        }
    }

    /** Adds one point per entry of {@code values} at the same step (e.g. itc, itm, itg, total). */
    public synchronized void addAll(double step, Map<String, ? extends Number> values) {
        values.forEach((name, v) ->
                points.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[] {step, v.doubleValue()}));
        if (throttle.ready()) {
            sink.update(displayId, view());
        }
    }

    /** Draws the final curves. */
    public synchronized void finish() {
        sink.update(displayId, view());
    }

    public String displayId() {
        return displayId;
    }

    /** The number of points in series {@code name}. */
    public synchronized int size(String name) {
        List<double[]> s = points.get(name);
        return s == null ? 0 : s.size();
    }

    /** What the notebook shows: the chart once there is a point, a line of text before. */
    synchronized Object view() {
        return points.isEmpty() ? title + ": waiting for the first point" : chart();
    }

    /** The chart of the points so far. */
    public synchronized XYChart chart() {
        Map<String, double[][]> series = new LinkedHashMap<>();
        points.forEach((name, list) -> {
            double[][] xy = new double[2][list.size()];
            for (int i = 0; i < list.size(); i++) {
                xy[0][i] = list.get(i)[0];
                xy[1][i] = list.get(i)[1];
            }
            series.put(name, xy);
        });
        return Charts.lossCurves(title, series, logY);
    }
}
