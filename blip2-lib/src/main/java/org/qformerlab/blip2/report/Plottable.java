package org.qformerlab.blip2.report;

import java.util.Arrays;

/** Checks series shapes and keeps only the points a chart axis can show. */
final class Plottable {

    private Plottable() {
    }

    /**
     * Returns {@code {xs, ys}} without the points whose x or y is not finite, or whose y is not
     * positive when the y axis is logarithmic.
     */
    static double[][] points(String name, double[][] series, boolean logY) {
        if (series == null || series.length != 2 || series[0] == null || series[1] == null
                || series[0].length != series[1].length) {
            throw new IllegalArgumentException("series '" + name
                    + "' must be {xs, ys}: two rows of equal length");
        }
        double[] xs = new double[series[0].length];
        double[] ys = new double[series[0].length];
        int kept = 0;
        for (int i = 0; i < xs.length; i++) {
            double x = series[0][i];
            double y = series[1][i];
            if (Double.isFinite(x) && Double.isFinite(y) && (!logY || y > 0)) {
                xs[kept] = x;
                ys[kept] = y;
                kept++;
            }
        }
        return new double[][] {Arrays.copyOf(xs, kept), Arrays.copyOf(ys, kept)};
    }

    /** Returns {@code values} if it has {@code expected} entries, else throws naming the series. */
    static double[] checkLength(String name, String what, double[] values, int expected) {
        if (values == null || values.length != expected) {
            throw new IllegalArgumentException("series '" + name + "': " + what + " has "
                    + (values == null ? "no" : values.length) + " values, expected " + expected);
        }
        return values;
    }
}
