package org.qformerlab.ablations;

/**
 * How small an effect a study paired by seed can detect: the minimum detectable effect (MDE) of a
 * two-sided paired t test at level {@code α = 0.05} with power {@code 0.80}.
 *
 * <p>Each seed gives one difference {@code d_i = variant_i - baseline_i}; over {@code n} seeds their
 * sample standard deviation is {@code s_d}, and the test's statistic is
 * {@code t = mean(d) / (s_d / √n)} with {@code n - 1} degrees of freedom. An effect {@code δ} is
 * detected with probability 0.80 when
 * <pre>
 *     MDE(n) = (t_{0.975, n-1} + t_{0.80, n-1}) · s_d / √n
 * </pre>
 * ({@code t_{p,ν}}: the {@code p}-quantile of Student's t with {@code ν} degrees of freedom,
 * {@link StudentT#quantile}). This is the usual approximation that puts the alternative's
 * distribution at a shifted central t (the exact one is a noncentral t); it is slightly optimistic
 * at very few seeds. For example, {@code s_d = 0.01} over 6 seeds gives
 * {@code (2.571 + 0.920) · 0.01 / √6 = 0.0143}.
 *
 * <p>The MDE falls as seeds are added — both quantiles shrink and {@code √n} grows — so
 * {@link #seedsFor} finds the smallest {@code n} reaching a target by bisection.
 */
public final class Power {

    /** The two-sided level of the test. */
    public static final double ALPHA = 0.05;

    /** The probability of detecting an effect of the MDE's size. */
    public static final double POWER = 0.80;

    private Power() {
    }

    /** {@code t_{1-α/2, n-1} + t_{power, n-1}}: the MDE in units of the standard error {@code s_d / √n}. */
    public static double multiplier(int n) {
        checkSeeds(n);
        return StudentT.quantile(1 - ALPHA / 2, n - 1) + StudentT.quantile(POWER, n - 1);
    }

    /**
     * The minimum detectable effect over {@code n} paired seeds whose differences have sample
     * standard deviation {@code sd}: {@code (t_{0.975,n-1} + t_{0.80,n-1}) · sd / √n}.
     */
    public static double detectableEffect(int n, double sd) {
        checkSpread(sd);
        return multiplier(n) * sd / Math.sqrt(n);
    }

    /**
     * The fewest seeds (at least 2) whose MDE is at most {@code target}, given the spread {@code sd}
     * of the paired differences.
     */
    public static int seedsFor(double target, double sd) {
        checkSpread(sd);
        if (!(target > 0) || Double.isInfinite(target)) {
            throw new IllegalArgumentException("the target detectable effect must be a positive number, got " + target);
        }
        int hi = 2;
        while (detectableEffect(hi, sd) > target) {
            if (hi > Integer.MAX_VALUE / 4) {
                throw new IllegalArgumentException("no feasible seed count reaches a detectable effect of " + target
                        + " with s_d = " + sd);
            }
            hi *= 2;
        }
        int lo = hi / 2; // MDE(lo) > target, or lo < 2
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (mid >= 2 && detectableEffect(mid, sd) <= target) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    private static void checkSeeds(int n) {
        if (n < 2) {
            throw new IllegalArgumentException("a paired t test needs at least 2 seeds, got " + n);
        }
    }

    private static void checkSpread(double sd) {
        if (!(sd >= 0) || Double.isInfinite(sd)) {
            throw new IllegalArgumentException("the spread s_d must be a non-negative number, got " + sd);
        }
    }
}
