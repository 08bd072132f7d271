package org.qformerlab.ablations;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Holm's step-down correction for testing several variants against one baseline: the chance that
 * any of the {@code m} tests finds an effect where there is none stays at most {@code α}, and it
 * never rejects less than Bonferroni's.
 *
 * <p>Sort the p-values ascending, {@code p_(1) <= ... <= p_(m)}; the adjusted value of the
 * {@code i}-th is
 * <pre>
 *     p̃_(i) = min(1, max_{j <= i} (m - j + 1) · p_(j))
 * </pre>
 * — each multiplied by the number of hypotheses still in play, made monotone by a running maximum,
 * capped at 1. A test is significant at level {@code α} when {@code p̃ < α}. For example
 * {@code (0.01, 0.04, 0.03, 0.005)} becomes {@code (0.03, 0.06, 0.06, 0.02)}.
 */
public final class Holm {

    private Holm() {
    }

    /**
     * The Holm-adjusted p-values, in the order given. NaN (a test that could not be made) stays NaN
     * and does not count among the {@code m} tests.
     */
    public static double[] adjust(double... p) {
        Integer[] order = IntStream.range(0, p.length).filter(i -> !Double.isNaN(p[i])).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> p[i]));
        double[] adjusted = new double[p.length];
        Arrays.fill(adjusted, Double.NaN);
        int m = order.length;
        double runningMax = 0;
        for (int i = 0; i < m; i++) {
            runningMax = Math.max(runningMax, (m - i) * p[order[i]]);
            adjusted[order[i]] = Math.min(1, runningMax);
        }
        return adjusted;
    }
}
