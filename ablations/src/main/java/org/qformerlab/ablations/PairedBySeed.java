package org.qformerlab.ablations;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qformerlab.blip2.report.SampleStats;
import org.qformerlab.blip2.report.Tables;

/**
 * The best variant on a metric against the runner-up, seed by seed. Every variant of a study runs the
 * same seeds, and a seed fixes what the variants share (data order, initialisation of the parts they
 * have in common), so the two runs of one seed form a pair and much of the spread between seeds cancels
 * out of their difference. Reported: the mean of the per-seed differences ± its standard error
 * {@code s_d / sqrt(n)}, their ratio (the paired t statistic), and in how many pairs the best is ahead.
 * It reads beside the answer, which compares the means of the two variants as independent samples.
 *
 * @param metric the metric
 * @param best the variant with the better mean
 * @param other the runner-up
 * @param n seeds both finished
 * @param difference mean of {@code best - other} over those seeds
 * @param standardError {@code s_d / sqrt(n)}
 * @param ahead seeds in which the best is better (in the metric's direction)
 */
record PairedBySeed(MetricSpec metric, String best, String other, int n, double difference, double standardError,
        int ahead) {

    /**
     * The comparison for one metric, or {@code null} when fewer than two variants, or fewer than two
     * common seeds, have results.
     *
     * @param bySeed variant name to its value per seed (finished runs only)
     */
    static PairedBySeed of(MetricSpec metric, Map<String, Map<Long, Double>> bySeed) {
        List<Map.Entry<String, Map<Long, Double>>> ranked = new ArrayList<>();
        for (Map.Entry<String, Map<Long, Double>> e : bySeed.entrySet()) {
            if (!Double.isNaN(mean(e.getValue()))) {
                ranked.add(e);
            }
        }
        if (ranked.size() < 2) {
            return null;
        }
        double sign = metric.better() == Better.HIGHER ? 1 : -1;
        ranked.sort(Comparator.comparingDouble((Map.Entry<String, Map<Long, Double>> e) -> -sign * mean(e.getValue())));
        Map<Long, Double> a = ranked.get(0).getValue();
        Map<Long, Double> b = ranked.get(1).getValue();
        List<Double> differences = new ArrayList<>();
        int ahead = 0;
        for (Map.Entry<Long, Double> e : a.entrySet()) {
            Double y = b.get(e.getKey());
            if (y != null && !y.isNaN() && !e.getValue().isNaN()) {
                double d = e.getValue() - y;
                differences.add(d);
                ahead += sign * d > 0 ? 1 : 0;
            }
        }
        if (differences.size() < 2) {
            return null;
        }
        SampleStats s = SampleStats.of(differences.stream().mapToDouble(Double::doubleValue).toArray());
        double difference = Math.abs(s.mean()) < 1e-12 ? 0 : s.mean(); // rounding of equal means, not a lead
        return new PairedBySeed(metric, ranked.get(0).getKey(), ranked.get(1).getKey(), s.n(), difference,
                s.std() / Math.sqrt(s.n()), ahead);
    }

    /** True when the lead exceeds {@link Verdict#STANDARD_ERRORS} standard errors of the paired differences. */
    boolean clear() {
        return standardError > 0 ? Math.abs(difference) > Verdict.STANDARD_ERRORS * standardError : difference != 0;
    }

    /**
     * "vqa, seed by seed: with stage 1 - stage 2 only = 0.0079 ± 0.0051 over 6 seeds, t = 1.55 (within 2
     * standard errors; a two-sided 5% test over 6 pairs needs |t| > 2.57); with stage 1 ahead in 4 of 6."
     */
    String sentence() {
        String t = standardError > 0
                ? String.format(Locale.ROOT, "t = %.2f (%s %s standard errors; a two-sided 5%% test over %d pairs needs"
                                + " |t| > %.2f)", difference / standardError, clear() ? "beyond" : "within",
                        Tables.formatNumber(Verdict.STANDARD_ERRORS), n, tCritical(n - 1))
                : "the same difference in every seed";
        return String.format(Locale.ROOT,
                "%s, seed by seed: %s - %s = %s ± %s over %d seeds, %s; %s ahead in %d of %d.",
                metric.name(), best, other, Tables.formatNumber(difference), Tables.formatNumber(standardError), n,
                t, best, ahead, n);
    }

    /**
     * The paired test in one sentence, for the paper comparison: "Paired by seed, with stage 1 -
     * stage 2 only = 0.0064 ± 0.0027 over 12 seeds, t = 2.38: beyond the two-sided 5% threshold
     * 2.20, so the paired test finds the difference."
     */
    String testSentence() {
        if (standardError <= 0) {
            return String.format(Locale.ROOT, "Paired by seed, %s - %s = %s in every one of %d seeds.", best, other,
                    Tables.formatNumber(difference), n);
        }
        double t = difference / standardError;
        boolean significant = Math.abs(t) > tCritical(n - 1);
        return String.format(Locale.ROOT, "Paired by seed, %s - %s = %s ± %s over %d seeds, t = %.2f: %s the"
                        + " two-sided 5%% threshold %.2f, so the paired test %s.", best, other,
                Tables.formatNumber(difference), Tables.formatNumber(standardError), n, t,
                significant ? "beyond" : "within", tCritical(n - 1),
                significant ? "finds the difference" : "does not establish it");
    }

    /** The |t| a paired difference must exceed for a two-sided 5% test with {@code df} degrees of freedom. */
    static double tCritical(int df) {
        if (df < 1) {
            throw new IllegalArgumentException("a t test needs at least 1 degree of freedom, got " + df);
        }
        return StudentT.quantile(1 - Power.ALPHA / 2, df);
    }

    private static double mean(Map<Long, Double> values) {
        return SampleStats.of(values.values().stream().mapToDouble(Double::doubleValue).toArray()).mean();
    }
}
