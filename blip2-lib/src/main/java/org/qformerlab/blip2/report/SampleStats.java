package org.qformerlab.blip2.report;

/**
 * Mean, sample standard deviation and count of a set of repeated measurements (e.g. one metric over
 * several seeds).
 *
 * <p>The standard deviation uses the sample (n - 1) denominator and is defined as 0 for a single
 * value. NaN values are treated as missing and skipped; with no values left, mean and std are NaN and
 * n is 0.
 *
 * @param mean the arithmetic mean
 * @param std the sample standard deviation
 * @param n how many values went in
 */
public record SampleStats(double mean, double std, int n) {

    /** Computes the statistics of {@code values}, skipping NaN. */
    public static SampleStats of(double... values) {
        int n = 0;
        double sum = 0;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        if (n == 0) {
            return new SampleStats(Double.NaN, Double.NaN, 0);
        }
        double mean = sum / n;
        if (n == 1) {
            return new SampleStats(mean, 0.0, 1);
        }
        double squares = 0;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                squares += (v - mean) * (v - mean);
            }
        }
        return new SampleStats(mean, Math.sqrt(squares / (n - 1)), n);
    }
}
