package org.qformerlab.ablations;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qformerlab.blip2.report.SampleStats;
import org.qformerlab.blip2.report.Tables;

/**
 * The one-line answer of a study, computed from the numbers: the best variant on a metric against the
 * variants it beats (for two variants: one against the other).
 *
 * <p>The difference of their means {@code d} is reported with its standard error
 * {@code se = sqrt(s1^2/n1 + s2^2/n2)} (s: the sample standard deviation over seeds, n: the number of
 * seeds). The better variant is said to <em>beat</em> the other only when {@code d > 2 se}; otherwise
 * the answer says there is no difference beyond the seed spread. With more than two variants, those
 * within the spread of the best are named as tied with it, and the best is compared with the
 * highest-ranked variant it does beat. With fewer than two seeds on either
 * side the spread is unknown and the answer says so instead of claiming a win. This is a screen, not a
 * significance test: with three seeds, {@code 2 se} is a lenient bar.
 */
public final class Verdict {

    /** How many standard errors a difference must exceed to count. */
    public static final double STANDARD_ERRORS = 2.0;

    private Verdict() {
    }

    /**
     * The answer for one metric.
     *
     * @param stats variant name to its statistics over seeds (finished runs only), in variant order
     */
    public static String answer(MetricSpec metric, Map<String, SampleStats> stats) {
        List<Map.Entry<String, SampleStats>> ranked = new ArrayList<>();
        for (Map.Entry<String, SampleStats> e : stats.entrySet()) {
            if (e.getValue().n() > 0) {
                ranked.add(e);
            }
        }
        String m = metric.name() + (metric.better() == Better.LOWER ? " (lower is better)" : "");
        if (ranked.size() < 2) {
            return "Cannot answer on " + m + ": only " + ranked.size() + " of " + stats.size()
                    + " variants have results (see the failed runs).";
        }
        Comparator<Map.Entry<String, SampleStats>> byMean = Comparator.comparingDouble(e -> e.getValue().mean());
        ranked.sort(metric.better() == Better.HIGHER ? byMean.reversed() : byMean);
        String best = ranked.get(0).getKey();
        SampleStats a = ranked.get(0).getValue();
        String next = ranked.get(1).getKey();
        SampleStats b = ranked.get(1).getValue();
        if (a.n() < 2 || b.n() < 2) {
            String other = stats.size() == 2 ? next : "the runner-up " + next;
            return String.format(Locale.ROOT, "%s scores better than %s on %s by %s, but with %s the seed spread "
                    + "is unknown: no conclusion.", best, other, m, num(Math.abs(a.mean() - b.mean())), seeds(a, b));
        }
        // Variants within the spread of the best are tied with it; the first one beyond it is beaten.
        List<String> tied = new ArrayList<>();
        Map.Entry<String, SampleStats> beaten = null;
        for (Map.Entry<String, SampleStats> e : ranked.subList(1, ranked.size())) {
            if (beaten == null && beats(a, e.getValue())) {
                beaten = e;
            } else if (!beats(a, e.getValue())) {
                tied.add(e.getKey());
            }
        }
        if (beaten == null && ranked.size() == 2) {
            return String.format(Locale.ROOT, "No difference on %s beyond the seed spread: %s %s ± %s vs %s %s ± %s "
                    + "(difference %s ± %s over %s).", m, best, num(a.mean()), num(a.std()), next, num(b.mean()),
                    num(b.std()), difference(a, b), se(a, b), seeds(a, b));
        }
        if (beaten == null) {
            return String.format(Locale.ROOT, "No difference on %s beyond the seed spread among the %d variants: the "
                    + "best, %s (%s ± %s), leads the runner-up %s (%s ± %s) by %s ± %s over %s.", m, ranked.size(), best,
                    num(a.mean()), num(a.std()), next, num(b.mean()), num(b.std()), difference(a, b), se(a, b),
                    seeds(a, b));
        }
        SampleStats c = beaten.getValue();
        if (tied.isEmpty()) {
            String other = stats.size() == 2 ? beaten.getKey() : "the runner-up " + beaten.getKey();
            return String.format(Locale.ROOT, "%s beats %s on %s by %s ± %s over %s.", best, other, m,
                    difference(a, c), se(a, c), seeds(a, c));
        }
        String others = tied.size() <= 3 ? String.join(", ", tied) : tied.size() + " other variants";
        return String.format(Locale.ROOT, "%s is best on %s (%s ± %s), tied within the seed spread with %s; it beats "
                + "the next, %s, by %s ± %s over %s.", best, m, num(a.mean()), num(a.std()), others, beaten.getKey(),
                difference(a, c), se(a, c), seeds(a, c));
    }

    /**
     * Whether these numbers confirm the paper's finding: {@code claim.better} beats {@code claim.worse}
     * on the claim's metric by more than {@link #STANDARD_ERRORS} standard errors (confirmed), leads
     * within the seed spread (same direction, not established), trails within it (not reproduced), or
     * trails beyond it (reversed).
     */
    public static String againstPaper(PaperClaim claim, MetricSpec metric, Map<String, SampleStats> stats) {
        SampleStats a = stats.get(claim.better());
        SampleStats b = stats.get(claim.worse());
        if (a == null || b == null || a.n() == 0 || b.n() == 0) {
            return "Cannot check the paper's finding: " + (a == null || a.n() == 0 ? claim.better() : claim.worse())
                    + " has no finished runs.";
        }
        double sign = metric.better() == Better.HIGHER ? 1 : -1;
        double lead = sign * (a.mean() - b.mean());
        String numbers = String.format(Locale.ROOT, "%s %s ± %s vs %s %s ± %s on %s (difference %s ± %s over %s)",
                claim.better(), num(a.mean()), num(a.std()), claim.worse(), num(b.mean()), num(b.std()), metric.name(),
                num(a.mean() - b.mean()), se(a, b), seeds(a, b));
        String verdict;
        if (a.n() < 2 || b.n() < 2) {
            verdict = "the seed spread is unknown, so no conclusion";
        } else if (beats(a, b)) {
            verdict = lead > 0 ? "**confirmed**: the paper's direction, beyond the seed spread"
                    : "**reversed**: the opposite of the paper's direction, beyond the seed spread";
        } else {
            verdict = lead > 0 ? "**not established**: the paper's direction, but within the seed spread"
                    : "**not reproduced**: the opposite direction, within the seed spread";
        }
        return numbers + ": " + verdict + ".";
    }

    /** True when the difference of means exceeds {@link #STANDARD_ERRORS} standard errors. */
    private static boolean beats(SampleStats a, SampleStats b) {
        if (a.n() < 2 || b.n() < 2) {
            return false;
        }
        return Math.abs(a.mean() - b.mean()) > STANDARD_ERRORS * standardError(a, b);
    }

    private static double standardError(SampleStats a, SampleStats b) {
        return Math.sqrt(a.std() * a.std() / a.n() + b.std() * b.std() / b.n());
    }

    private static String difference(SampleStats a, SampleStats b) {
        return num(Math.abs(a.mean() - b.mean()));
    }

    private static String se(SampleStats a, SampleStats b) {
        return num(standardError(a, b));
    }

    private static String seeds(SampleStats a, SampleStats b) {
        return a.n() == b.n() ? a.n() + " seed" + (a.n() == 1 ? "" : "s") : a.n() + " and " + b.n() + " seeds";
    }

    private static String num(double v) {
        return Tables.formatNumber(v);
    }
}
