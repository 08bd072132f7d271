package org.qformerlab.ablations;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.qformerlab.blip2.report.SampleStats;
import org.qformerlab.blip2.report.Tables;
import tech.tablesaw.api.Table;

/**
 * The answer to a study's question, on the metric that answers it (the spec's
 * {@linkplain StudySpec#headlineMetric headline}): every variant against the
 * {@linkplain StudySpec#baselineVariant baseline}, paired by seed, with the power to find a difference.
 *
 * <p>For a variant {@code v} over the {@code n} seeds it and the baseline {@code b} both finished, the
 * differences {@code d_i = v_i - b_i} give
 * <ul>
 *   <li>the effect {@code mean(d)} ± its standard error {@code s_d / √n};</li>
 *   <li>the paired t test: {@code t = mean(d) / (s_d / √n)}, two-sided {@code p} from Student's t with
 *       {@code n - 1} degrees of freedom ({@link StudentT#twoSidedP});</li>
 *   <li>the p-values of all variants compared, adjusted together by {@link Holm}: the variant differs
 *       from the baseline when its adjusted {@code p < 0.05};</li>
 *   <li>the minimum detectable effect {@link Power#detectableEffect MDE(n, s_d)}: an effect this large
 *       would be found with probability 0.80 (before the Holm adjustment).</li>
 * </ul>
 * When nothing is found the answer states the power — "no effect larger than MDE (the detectable
 * effect at n seeds)" — because "within the spread" alone does not say how large a difference could
 * hide in it.
 *
 * @param metric the headline metric
 * @param baseline the baseline variant's name
 * @param baselineStats the baseline's mean, std and count over its finished seeds
 * @param comparisons every other variant against the baseline, in variant order
 */
public record Headline(MetricSpec metric, String baseline, SampleStats baselineStats, List<Comparison> comparisons) {

    /**
     * One variant against the baseline.
     *
     * @param variant the variant's name
     * @param stats its mean, std and count over its finished seeds
     * @param pairs seeds both it and the baseline finished
     * @param effect mean of {@code variant - baseline} over those seeds
     * @param standardError {@code s_d / √pairs}
     * @param spread {@code s_d}, the sample standard deviation of the differences
     * @param p the paired t test's two-sided p-value
     * @param holmP {@code p} adjusted over all the variants compared
     * @param detectable the minimum detectable effect at {@code pairs} seeds
     */
    public record Comparison(String variant, SampleStats stats, int pairs, double effect, double standardError,
            double spread, double p, double holmP, double detectable) {

        /** Whether at least two seeds pair it with the baseline (else the spread is unknown). */
        public boolean paired() {
            return pairs >= 2;
        }

        /** Whether the paired test finds a difference after the Holm adjustment. */
        public boolean found() {
            return paired() && holmP < Power.ALPHA;
        }

        private Comparison withHolmP(double adjusted) {
            return new Comparison(variant, stats, pairs, effect, standardError, spread, p, adjusted, detectable);
        }
    }

    /** The paired differences of {@code a - b} over the seeds both have. */
    record Pairs(int n, double mean, double sd) {

        static Pairs of(Map<Long, Double> a, Map<Long, Double> b) {
            List<Double> d = new ArrayList<>();
            for (Map.Entry<Long, Double> e : a.entrySet()) {
                Double y = b.get(e.getKey());
                if (y != null && !y.isNaN() && !e.getValue().isNaN()) {
                    d.add(e.getValue() - y);
                }
            }
            SampleStats s = SampleStats.of(d.stream().mapToDouble(Double::doubleValue).toArray());
            double mean = s.n() == 0 ? Double.NaN : Math.abs(s.mean()) < 1e-12 ? 0 : s.mean(); // rounding, not a lead
            return new Pairs(s.n(), mean, roundingToZero(s.std(), s.mean()));
        }

        double standardError() {
            return n >= 2 ? sd / Math.sqrt(n) : Double.NaN;
        }

        /** Two-sided p of the paired t test; with no spread at all, 0 for a difference and 1 for none. */
        double p() {
            if (n < 2) {
                return Double.NaN;
            }
            if (standardError() == 0) {
                return mean == 0 ? 1 : 0;
            }
            return StudentT.twoSidedP(mean / standardError(), n - 1);
        }

        double detectable() {
            return n >= 2 ? Power.detectableEffect(n, sd) : Double.NaN;
        }
    }

    /**
     * Every variant against the baseline on {@code metric}.
     *
     * @param bySeed variant name to its value per seed (finished runs only), in variant order
     */
    static Headline of(MetricSpec metric, String baseline, Map<String, Map<Long, Double>> bySeed) {
        Map<Long, Double> base = bySeed.getOrDefault(baseline, Map.of());
        List<Comparison> raw = new ArrayList<>();
        for (Map.Entry<String, Map<Long, Double>> e : bySeed.entrySet()) {
            if (e.getKey().equals(baseline)) {
                continue;
            }
            Pairs d = Pairs.of(e.getValue(), base);
            raw.add(new Comparison(e.getKey(), stats(e.getValue()), d.n(), d.mean(), d.standardError(), d.sd(), d.p(),
                    Double.NaN, d.detectable()));
        }
        double[] adjusted = Holm.adjust(raw.stream().mapToDouble(Comparison::p).toArray());
        List<Comparison> comparisons = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            comparisons.add(raw.get(i).withHolmP(adjusted[i]));
        }
        return new Headline(metric, baseline, stats(base), List.copyOf(comparisons));
    }

    /** How many tests the Holm adjustment counts: the variants with at least two paired seeds. */
    public int tests() {
        return (int) comparisons.stream().filter(Comparison::paired).count();
    }

    /** The comparison of this variant, or {@code null}. */
    public Comparison comparison(String variant) {
        return comparisons.stream().filter(c -> c.variant().equals(variant)).findFirst().orElse(null);
    }

    /**
     * The answer in one sentence, with its power. For example: "On vqa, with stage 1 vs stage 2 only:
     * no effect larger than 0.0081 (the detectable effect at 12 seeds); observed +0.0064 ± 0.0027 (p =
     * 0.07)." or "On score, width=8 is better than width=4 by +4 ± 0.5 (mean paired difference over 3
     * seeds, p = 0.006; the detectable effect at 3 seeds is 2.7)."
     */
    public String sentence() {
        String m = metric.name() + (metric.better() == Better.LOWER ? " (lower is better)" : "");
        if (baselineStats.n() == 0) {
            return "Cannot answer on " + m + ": the baseline " + baseline + " has no finished runs (see the failed runs).";
        }
        if (comparisons.isEmpty()) {
            return "Nothing to compare on " + m + ": the study has a single variant.";
        }
        if (comparisons.size() == 1) {
            return oneComparison(m, comparisons.get(0));
        }
        return severalComparisons(m);
    }

    private String oneComparison(String m, Comparison c) {
        if (!c.paired()) {
            return String.format(Locale.ROOT, "On %s, %s vs %s: %s, so the spread is unknown: no conclusion and no"
                    + " detectable effect to state%s.", m, c.variant(), baseline, pairsText(c.pairs()), c.pairs() == 1
                    ? " (observed " + signed(c.effect()) + ")" : "");
        }
        String p = pText(c.holmP(), "p");
        if (c.found()) {
            return String.format(Locale.ROOT, "On %s, %s is %s than %s by %s ± %s (mean paired difference over %d"
                    + " seeds, %s; the detectable effect at %d seeds is %s).", m, c.variant(), betterOrWorse(c),
                    baseline, signed(c.effect()), num(c.standardError()), c.pairs(), p, c.pairs(), num(c.detectable()));
        }
        if (!bounded(c)) {
            return String.format(Locale.ROOT, "On %s, %s vs %s: %s ± %s, larger than the detectable effect %s at %d"
                    + " seeds but not significant (%s): too few seeds to tell.", m, c.variant(), baseline,
                    signed(c.effect()), num(c.standardError()), num(c.detectable()), c.pairs(), p);
        }
        return String.format(Locale.ROOT, "On %s, %s vs %s: no effect larger than %s (the detectable effect at %d"
                + " seeds); observed %s ± %s (%s).", m, c.variant(), baseline, num(c.detectable()), c.pairs(),
                signed(c.effect()), num(c.standardError()), p);
    }

    private String severalComparisons(String m) {
        List<Comparison> found = comparisons.stream().filter(Comparison::found).toList();
        List<Comparison> none = comparisons.stream().filter(c -> c.paired() && !c.found() && bounded(c)).toList();
        List<Comparison> unresolved = comparisons.stream().filter(c -> c.paired() && !c.found() && !bounded(c))
                .toList();
        List<Comparison> unknown = comparisons.stream().filter(c -> !c.paired()).toList();
        List<String> parts = new ArrayList<>();
        if (!found.isEmpty()) {
            List<String> items = new ArrayList<>();
            for (Comparison c : found.subList(0, Math.min(3, found.size()))) {
                items.add(String.format(Locale.ROOT, "%s is %s by %s ± %s (%s)", c.variant(), betterOrWorse(c),
                        signed(c.effect()), num(c.standardError()), pText(c.holmP(), "Holm p")));
            }
            if (found.size() > 3) {
                items.add((found.size() - 3) + " more differ (see the table)");
            }
            String list = String.join("; ", items);
            if (none.isEmpty()) {
                list += "; the detectable effect " + at(found) + " is " + (found.size() > 1 ? "at most " : "")
                        + num(max(found));
            }
            parts.add(list);
        }
        if (!none.isEmpty()) {
            String who = found.isEmpty() && unresolved.isEmpty() ? "no variant differs from it: no effect larger than "
                    : "for " + names(none) + ", no effect larger than ";
            Comparison largest = none.get(0);
            for (Comparison c : none) {
                if (Math.abs(c.effect()) > Math.abs(largest.effect())) {
                    largest = c;
                }
            }
            String text = who + num(max(none)) + " (" + (none.size() == 1 ? "the detectable effect "
                    : "the largest detectable effect among them, ") + at(none) + ")";
            if (found.isEmpty() && unresolved.isEmpty()) {
                text += String.format(Locale.ROOT, "; the largest observed, %s, is %s ± %s (%s)", largest.variant(),
                        signed(largest.effect()), num(largest.standardError()), pText(largest.holmP(), "Holm p"));
            }
            parts.add(text);
        }
        for (Comparison c : unresolved) {
            parts.add(String.format(Locale.ROOT, "%s is %s ± %s, larger than its detectable effect %s but not"
                    + " significant (%s): too few seeds to tell", c.variant(), signed(c.effect()),
                    num(c.standardError()), num(c.detectable()), pText(c.holmP(), "Holm p")));
        }
        if (!unknown.isEmpty()) {
            parts.add(names(unknown) + (unknown.size() == 1 ? " has" : " have") + " fewer than 2 seeds paired with"
                    + " the baseline: no conclusion");
        }
        return "On " + m + " against the baseline " + baseline + ": " + String.join("; ", parts) + ".";
    }

    /**
     * Whether "no effect larger than the detectable effect" can be said of a comparison that found
     * nothing: only when the observed effect is itself smaller than that. With very few seeds a large
     * effect can miss significance (one degree of freedom needs |t| > 12.7); that is "too few seeds to
     * tell", not "no effect".
     */
    private static boolean bounded(Comparison c) {
        return !(Math.abs(c.effect()) >= c.detectable());
    }

    /** "at 6 seeds", or "at 5-6 seeds" where the comparisons pair unequal numbers of seeds. */
    private static String at(List<Comparison> cs) {
        int lo = cs.stream().mapToInt(Comparison::pairs).min().orElse(0);
        int hi = cs.stream().mapToInt(Comparison::pairs).max().orElse(0);
        return "at " + (lo == hi ? String.valueOf(lo) : lo + "-" + hi) + " seeds";
    }

    private static double max(List<Comparison> cs) {
        return cs.stream().mapToDouble(Comparison::detectable).max().orElse(Double.NaN);
    }

    /**
     * Whether the paper's direction shows in these numbers, plainly: "The paper's direction shows:
     * with stage 1 - stage 2 only = +0.0064 ± 0.0027 on vqa over 12 paired seeds (p = 0.036)." It
     * shows when the paired test of {@code better - worse} on the claim's metric finds a difference
     * in the paper's direction; the p-value is this headline's Holm-adjusted one when the claim is
     * one of its comparisons, else the single test's.
     *
     * @param claimMetric the claim's metric
     * @param bySeed the claim metric's values per seed, per variant name
     */
    String againstPaper(PaperClaim claim, MetricSpec claimMetric, Map<String, Map<Long, Double>> bySeed) {
        Pairs d = Pairs.of(bySeed.getOrDefault(claim.better(), Map.of()), bySeed.getOrDefault(claim.worse(), Map.of()));
        String difference = claim.better() + " - " + claim.worse();
        if (d.n() < 2) {
            return "Whether the paper's direction shows cannot be told: " + difference + " on " + claimMetric.name()
                    + " has " + pairsText(d.n()) + ".";
        }
        double p = d.p();
        String label = "p";
        if (claimMetric.name().equals(metric.name()) && tests() > 1) {
            String other = claim.worse().equals(baseline) ? claim.better() : claim.better().equals(baseline)
                    ? claim.worse() : null;
            Comparison c = other == null ? null : comparison(other);
            if (c != null && c.paired()) {
                p = c.holmP();
                label = "Holm p";
            }
        }
        double sign = claimMetric.better() == Better.HIGHER ? 1 : -1;
        boolean paperWay = sign * d.mean() > 0;
        boolean significant = p < Power.ALPHA;
        String numbers = String.format(Locale.ROOT, "%s = %s ± %s on %s over %d paired seeds (%s", difference,
                signed(d.mean()), num(d.standardError()), claimMetric.name(), d.n(), pText(p, label));
        if (paperWay && significant) {
            return "The paper's direction shows: " + numbers + ").";
        }
        String why = paperWay ? "the paper's direction, but not beyond chance"
                : significant ? "the opposite direction, beyond chance" : "the opposite direction, not beyond chance";
        return "The paper's direction does not show: " + numbers + "; " + why + "; the detectable effect at " + d.n()
                + " seeds is " + num(d.detectable()) + ").";
    }

    /**
     * The main table: per variant its mean ± standard error over seeds, and for all but the baseline
     * the effect against it ± its standard error, the MDE, the Holm-adjusted p and what it means.
     */
    public Table table() {
        List<Map<String, Object>> rows = new ArrayList<>();
        String effect = "effect vs " + baseline + " ± SE";
        Map<String, Object> base = new LinkedHashMap<>();
        base.put("variant", baseline + " (baseline)");
        base.put("n", (double) baselineStats.n());
        base.put(metric.name() + " mean ± SE", meanAndError(baselineStats));
        base.put(effect, "");
        base.put("MDE", null);
        base.put("Holm p", null);
        base.put("verdict", "baseline");
        rows.add(base);
        for (Comparison c : comparisons) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("variant", c.variant());
            row.put("n", (double) c.stats().n());
            row.put(metric.name() + " mean ± SE", meanAndError(c.stats()));
            row.put(effect, c.pairs() == 0 ? "" : c.paired() ? signed(c.effect()) + " ± " + num(c.standardError())
                    : signed(c.effect()));
            row.put("MDE", c.paired() ? c.detectable() : null);
            row.put("Holm p", c.paired() ? c.holmP() : null);
            row.put("verdict", !c.paired() ? "too few seeds" : c.found() ? betterOrWorse(c)
                    : bounded(c) ? "none found (< MDE)" : "not significant (> MDE)");
            rows.add(row);
        }
        return Tables.fromRows(metric.name() + " against " + baseline, rows);
    }

    private String betterOrWorse(Comparison c) {
        double sign = metric.better() == Better.HIGHER ? 1 : -1;
        return sign * c.effect() > 0 ? "better" : "worse";
    }

    private static String meanAndError(SampleStats s) {
        if (s.n() == 0) {
            return "no results";
        }
        return num(s.mean()) + (s.n() >= 2 ? " ± " + num(roundingToZero(s.std(), s.mean()) / Math.sqrt(s.n())) : "");
    }

    /** A spread of equal values that rounding made slightly positive (3.9e-17 around 0.46) is none. */
    private static double roundingToZero(double sd, double mean) {
        return sd <= 1e-12 * Math.abs(mean) ? 0 : sd;
    }

    private static String names(List<Comparison> cs) {
        return cs.size() <= 3 ? cs.stream().map(Comparison::variant).collect(Collectors.joining(", "))
                : "the other " + cs.size() + " variants";
    }

    private static String pairsText(int n) {
        return n == 0 ? "no seed paired" : n == 1 ? "only 1 paired seed" : n + " paired seeds";
    }

    private static SampleStats stats(Map<Long, Double> values) {
        return SampleStats.of(values.values().stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** "p = 0.036", "p < 0.001". */
    static String pText(double p, String label) {
        if (p < 0.001) {
            return label + " < 0.001";
        }
        return label + " = " + Tables.formatNumber(Math.round(p * 1000) / 1000.0);
    }

    /** A difference with its sign: "+0.0064", "-0.02", "0". */
    static String signed(double v) {
        return (v > 0 ? "+" : "") + num(v);
    }

    private static String num(double v) {
        return Tables.formatNumber(v);
    }
}
