package org.qformerlab.blip2.eval;

/**
 * McNemar's exact test of two rankings of the same queries at one cut-off k (or of two models' answers
 * to the same questions): did the second (say, after ITM re-ranking) win more queries than it lost,
 * beyond what chance would give?
 *
 * <p>Only the queries on which the two disagree count: {@code gained} (a miss at k became a hit)
 * and {@code lost} (a hit became a miss). If neither ranking were better, each of those n = gained +
 * lost queries would go either way with probability 1/2, so the two-sided p-value is
 * {@code min(1, 2 P(X <= min(gained, lost)))} for X ~ Binomial(n, 1/2). Compared with reading two
 * recalls against their sampling error, the pairing removes the queries both rankings get right or
 * both get wrong, which is why a small difference in recall can still be clear here, or a larger one
 * not.
 *
 * @param k the cut-off
 * @param gained queries missed at k before and hit after
 * @param lost queries hit at k before and missed after
 * @param p two-sided exact p-value (1 when nothing changed)
 */
public record McNemar(int k, int gained, int lost, double p) {

    /** Compares {@code after} with {@code before}, query by query; the ranks are 0-based ({@link Ranks}). */
    public static McNemar of(int[] before, int[] after, int k) {
        if (before.length != after.length) {
            throw new IllegalArgumentException("the rankings cover " + before.length + " and " + after.length
                    + " queries; McNemar's test compares the same queries");
        }
        boolean[] hitBefore = new boolean[before.length];
        boolean[] hitAfter = new boolean[after.length];
        for (int q = 0; q < before.length; q++) {
            hitBefore[q] = before[q] < k;
            hitAfter[q] = after[q] < k;
        }
        return of(hitBefore, hitAfter, k);
    }

    /**
     * Compares {@code after} with {@code before} on the same items (queries, questions), each a hit or
     * a miss; {@code k} only labels the result (1 for exact-match answers).
     */
    public static McNemar of(boolean[] before, boolean[] after, int k) {
        if (before.length != after.length) {
            throw new IllegalArgumentException("the two cover " + before.length + " and " + after.length
                    + " items; McNemar's test compares the same queries");
        }
        int gained = 0;
        int lost = 0;
        for (int q = 0; q < before.length; q++) {
            if (after[q] && !before[q]) {
                gained++;
            } else if (before[q] && !after[q]) {
                lost++;
            }
        }
        return new McNemar(k, gained, lost, twoSidedP(gained, lost));
    }

    /** {@code min(1, 2 P(X <= min(a, b)))}, X ~ Binomial(a + b, 1/2), summed in log space. */
    static double twoSidedP(int a, int b) {
        int n = a + b;
        int m = Math.min(a, b);
        double tail = 0;
        double logHalfToN = n * Math.log(0.5);
        double logChoose = 0; // log C(n, 0)
        for (int i = 0; i <= m; i++) {
            tail += Math.exp(logChoose + logHalfToN);
            logChoose += Math.log(n - i) - Math.log(i + 1.0);
        }
        return Math.min(1.0, 2 * tail);
    }

    /** "+12 / -17, p = 0.458": gained, lost and p, for a table cell. */
    public String shortText() {
        return "+" + gained + " / -" + lost + ", p " + pText();
    }

    private String pText() {
        return p < 0.001 ? "< 0.001" : String.format(java.util.Locale.ROOT, "= %.3f", p);
    }
}
