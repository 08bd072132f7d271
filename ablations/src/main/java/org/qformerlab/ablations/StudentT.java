package org.qformerlab.ablations;

/**
 * Student's t distribution with {@code ν} degrees of freedom: its tail probabilities and quantiles,
 * for paired tests and power over a handful of seeds.
 *
 * <p>The upper tail, for {@code t >= 0}, is
 * <pre>
 *     P(T > t) = ½ I_x(ν/2, ½),   x = ν / (ν + t²)
 * </pre>
 * where {@code I_x(a, b)} is the regularized incomplete beta function; the lower tail follows by
 * symmetry. {@code I_x(a, b)} is evaluated by its continued fraction (modified Lentz), which
 * converges quickly for {@code x < (a + 1) / (a + b + 2)}; above that, through
 * {@code I_x(a, b) = 1 - I_{1-x}(b, a)}. {@code ln Γ} is Lanczos' approximation (g = 7, nine terms,
 * about 15 digits). A quantile is found by bisection of the upper tail, which falls monotonically in
 * {@code t}, so it is as exact as the tail itself.
 */
public final class StudentT {

    private static final double EPSILON = 1e-15;
    private static final double TINY = 1e-300;
    private static final int MAX_TERMS = 10_000;

    private StudentT() {
    }

    /** {@code P(T <= t)}. */
    public static double cdf(double t, double df) {
        checkDf(df);
        double upper = upperTail(Math.abs(t), df);
        return t >= 0 ? 1 - upper : upper;
    }

    /** The two-sided p-value of a t statistic: {@code P(|T| >= |t|) = I_x(ν/2, ½)}. */
    public static double twoSidedP(double t, double df) {
        checkDf(df);
        if (Double.isNaN(t)) {
            return Double.NaN;
        }
        return Math.min(1, 2 * upperTail(Math.abs(t), df));
    }

    /**
     * The {@code p}-quantile {@code t_{p,ν}}: the {@code t} with {@code P(T <= t) = p}; e.g.
     * {@code quantile(0.975, 5) = 2.571}.
     */
    public static double quantile(double p, double df) {
        checkDf(df);
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("a quantile needs a probability strictly between 0 and 1, got " + p);
        }
        if (p < 0.5) {
            return -quantile(1 - p, df);
        }
        double tail = 1 - p;
        if (tail == 0.5) {
            return 0;
        }
        double lo = 0;
        double hi = 1;
        while (upperTail(hi, df) > tail) {
            lo = hi;
            hi *= 2;
        }
        for (int i = 0; i < 200 && hi - lo > 1e-14 * hi; i++) {
            double mid = 0.5 * (lo + hi);
            if (upperTail(mid, df) > tail) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }

    /** {@code P(T > t)} for {@code t >= 0}. */
    private static double upperTail(double t, double df) {
        if (Double.isInfinite(t)) {
            return 0;
        }
        return 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
    }

    /** The regularized incomplete beta function {@code I_x(a, b)}. */
    static double regularizedBeta(double x, double a, double b) {
        if (x <= 0) {
            return 0;
        }
        if (x >= 1) {
            return 1;
        }
        double front = Math.exp(a * Math.log(x) + b * Math.log1p(-x) - lnBeta(a, b));
        if (x < (a + 1) / (a + b + 2)) {
            return front * continuedFraction(x, a, b) / a;
        }
        return 1 - front * continuedFraction(1 - x, b, a) / b;
    }

    /** The continued fraction of {@code I_x(a, b)}, by the modified Lentz method. */
    private static double continuedFraction(double x, double a, double b) {
        double c = 1;
        double d = nonZero(1 - (a + b) * x / (a + 1));
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= MAX_TERMS; m++) {
            int m2 = 2 * m;
            // the even term d_{2m}
            double coefficient = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 / nonZero(1 + coefficient * d);
            c = nonZero(1 + coefficient / c);
            h *= d * c;
            // the odd term d_{2m+1}
            coefficient = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 / nonZero(1 + coefficient * d);
            c = nonZero(1 + coefficient / c);
            double step = d * c;
            h *= step;
            if (Math.abs(step - 1) < EPSILON) {
                return h;
            }
        }
        throw new IllegalStateException("the incomplete beta continued fraction did not converge for x=" + x
                + ", a=" + a + ", b=" + b);
    }

    private static double nonZero(double v) {
        return Math.abs(v) < TINY ? TINY : v;
    }

    private static double lnBeta(double a, double b) {
        return lnGamma(a) + lnGamma(b) - lnGamma(a + b);
    }

    private static final double[] LANCZOS = {
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
        -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
        1.5056327351493116e-7
    };

    /** {@code ln Γ(x)} for {@code x > 0}, by Lanczos' approximation. */
    static double lnGamma(double x) {
        if (x < 0.5) { // reflection: Γ(x) Γ(1 - x) = π / sin(πx)
            return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
        }
        double z = x - 1;
        double sum = LANCZOS[0];
        for (int i = 1; i < LANCZOS.length; i++) {
            sum += LANCZOS[i] / (z + i);
        }
        double t = z + 7.5;
        return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
    }

    private static void checkDf(double df) {
        if (!(df > 0) || Double.isInfinite(df)) {
            throw new IllegalArgumentException("Student's t needs positive, finite degrees of freedom, got " + df);
        }
    }
}
