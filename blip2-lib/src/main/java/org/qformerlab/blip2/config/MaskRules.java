package org.qformerlab.blip2.config;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * What every branch's mask must satisfy, checked when a config is loaded; each failure names the
 * branch's field and the rule.
 *
 * <ol>
 *   <li>It fits: a matrix is [Q+T, Q+T] for {@code qformer.numQueries} and {@code qformer.maxTextLength}.
 *   <li>Every position can attend somewhere, to a position every batch has: a query, or a text token at
 *       or before its own (for a query, the first text token). A row that sees nothing, or only later
 *       tokens that a shorter text pads away, would attend uniformly to everything, a silent leak.
 *   <li>ITG generates: no text token may see a later one, directly or through other positions over the
 *       layers (say a query that reads the whole text), or it learns to copy the next token instead of
 *       predicting it. {@code objective.itgLeakyGeneration: true} allows it, as a deliberate ablation.
 * </ol>
 */
public final class MaskRules {

    private MaskRules() {}

    /**
     * @param branch {@code itc}, {@code itm} or {@code itg}
     * @param leakyGenerationAllowed whether an ITG mask may let text see later text
     * @throws ConfigException naming {@code objective.<branch>Mask} and the broken rule
     */
    public static void check(String branch, MaskSpec mask, int numQueries, int textLength,
            boolean leakyGenerationAllowed) {
        String field = "objective." + branch + "Mask";
        int q = numQueries;
        if (mask instanceof MatrixMask m && m.size() != q + textLength) {
            throw new ConfigException(field + " is a " + m.size() + "x" + m.size() + " matrix but [queries ; text] has"
                    + " qformer.numQueries=" + q + " + qformer.maxTextLength=" + textLength + " = " + (q + textLength)
                    + " positions: write a " + (q + textLength) + "x" + (q + textLength)
                    + " matrix, or block rules, which fit any size");
        }
        boolean[][] a = mask.matrix(q, textLength);
        int s = a.length;
        for (int i = 0; i < s; i++) {
            int lastAlwaysThere = q + Math.max(0, i - q); // queries, and text up to the row's own token
            boolean any = false;
            for (int j = 0; j <= lastAlwaysThere && !any; j++) {
                any = a[i][j];
            }
            if (!any) {
                boolean later = false;
                for (int j = lastAlwaysThere + 1; j < s; j++) {
                    later |= a[i][j];
                }
                throw new ConfigException(field + " (" + mask.label() + "): position " + position(i, q)
                        + (later ? " may attend only to later text tokens, which shorter texts pad away"
                                : " may attend to nothing")
                        + "; every position must be able to attend somewhere: let it see a query, "
                        + (i < q ? "the first text token" : "itself or an earlier text token"));
            }
        }
        if (branch.equals("itg") && !leakyGenerationAllowed) {
            checkNoLookAhead(field, mask, a, q);
        }
    }

    /** Refuses a mask through which a text token can read a later one, over any number of layers. */
    private static void checkNoLookAhead(String field, MaskSpec mask, boolean[][] a, int q) {
        int s = a.length;
        java.util.BitSet[] reach = new java.util.BitSet[s]; // reach[i]: whose inputs can reach i's output
        for (int i = 0; i < s; i++) {
            reach[i] = new java.util.BitSet(s);
            for (int j = 0; j < s; j++) {
                reach[i].set(j, a[i][j]);
            }
        }
        for (int k = 0; k < s; k++) { // Warshall's transitive closure
            for (int i = 0; i < s; i++) {
                if (reach[i].get(k)) {
                    reach[i].or(reach[k]);
                }
            }
        }
        for (int i = q; i < s; i++) {
            int j = reach[i].nextSetBit(i + 1);
            if (j >= 0) {
                throw new ConfigException(field + " (" + mask.label() + ") lets text token " + position(i, q)
                        + " see the later token " + position(j, q) + through(a, i, j, q)
                        + ": ITG would learn to copy the next token instead of predicting it. Let text token i"
                        + " see only queries that see no text and tokens <= i, or set"
                        + " objective.itgLeakyGeneration: true to run the leak as an ablation");
            }
        }
    }

    /** The positions on a shortest path from {@code from} to {@code to}, as " (through q0, t3)", or "". */
    private static String through(boolean[][] a, int from, int to, int q) {
        int s = a.length;
        int[] via = new int[s];
        Arrays.fill(via, -2);
        Deque<Integer> todo = new ArrayDeque<>();
        via[from] = -1;
        todo.add(from);
        while (!todo.isEmpty() && via[to] == -2) {
            int r = todo.poll();
            for (int c = 0; c < s; c++) {
                if (a[r][c] && via[c] == -2) {
                    via[c] = r;
                    todo.add(c);
                }
            }
        }
        StringBuilder path = new StringBuilder();
        for (int k = via[to]; k != from && k >= 0; k = via[k]) {
            path.insert(0, path.length() == 0 ? position(k, q) : position(k, q) + ", ");
        }
        return path.length() == 0 ? "" : " (through " + path + ")";
    }

    /** {@code q2} for query 2, {@code t0} for text token 0. */
    static String position(int index, int numQueries) {
        return index < numQueries ? "q" + index : "t" + (index - numQueries);
    }
}
