package org.qformerlab.blip2.qformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which positions of the sequence [Q queries ; T text tokens] may attend to which: a boolean
 * matrix {@code allowed[row][col]} (true = row may attend to col), the value BLIP-2's three
 * objectives differ by.
 *
 * <ul>
 *   <li>{@link #unimodal} (ITC): queries see queries only, text sees text only; neither can peek
 *       at the other, so the contrastive task cannot be solved by copying.
 *   <li>{@link #multimodalCausal} (ITG): queries see queries only; text token i sees every query
 *       and the text tokens up to i, so generation is grounded in the queries and cannot look ahead.
 *   <li>{@link #bidirectional} (ITM): everything sees everything, for fine-grained matching.
 * </ul>
 *
 * <p>Padding is not part of the matrix: {@link #bias} combines it with a per-row text padding
 * mask (padded key columns are blocked), exactly as BERT's extended attention mask does.
 */
public final class AttentionMask {

    /** Additive value for a blocked position, as in BERT/LAVIS ({@code (1 - mask) * -10000}). */
    public static final float BLOCKED = -10000f;

    private final String name;
    private final int numQueries;
    private final int textLength;
    private final boolean[][] allowed;
    private final float[] flat;

    private AttentionMask(String name, int numQueries, int textLength, boolean[][] allowed) {
        this.name = name;
        this.numQueries = numQueries;
        this.textLength = textLength;
        this.allowed = allowed;
        int s = numQueries + textLength;
        this.flat = new float[s * s];
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < s; j++) {
                flat[i * s + j] = allowed[i][j] ? 1f : 0f;
            }
        }
    }

    /** The standard masks, built once per (kind, Q, T) and shared: they are immutable. */
    private static final Map<String, AttentionMask> BUILT = new ConcurrentHashMap<>();

    /** ITC: queries attend to queries, text to text. */
    public static AttentionMask unimodal(int numQueries, int textLength) {
        int q = numQueries;
        return BUILT.computeIfAbsent("itc:" + q + ":" + textLength,
                k -> of("ITC uni-modal", q, textLength, (i, j) -> (i < q) == (j < q)));
    }

    /** ITG: queries attend to queries; text token i attends to all queries and text tokens <= i. */
    public static AttentionMask multimodalCausal(int numQueries, int textLength) {
        int q = numQueries;
        return BUILT.computeIfAbsent("itg:" + q + ":" + textLength,
                k -> of("ITG multimodal causal", q, textLength, (i, j) -> i < q ? j < q : j <= i));
    }

    /** ITM: every position attends to every position. */
    public static AttentionMask bidirectional(int numQueries, int textLength) {
        return BUILT.computeIfAbsent("itm:" + numQueries + ":" + textLength,
                k -> of("ITM bi-directional", numQueries, textLength, (i, j) -> true));
    }

    /** Any user-given [Q+T, Q+T] matrix; rejects a matrix of the wrong size. */
    public static AttentionMask custom(String name, int numQueries, int textLength, boolean[][] allowed) {
        int s = numQueries + textLength;
        if (allowed.length != s) {
            throw new IllegalArgumentException(
                    "mask '" + name + "' has " + allowed.length + " rows but [queries ; text] has "
                            + numQueries + " + " + textLength + " = " + s
                            + " positions: give a " + s + "x" + s + " matrix");
        }
        boolean[][] copy = new boolean[s][];
        for (int i = 0; i < s; i++) {
            if (allowed[i].length != s) {
                throw new IllegalArgumentException(
                        "mask '" + name + "' row " + i + " has " + allowed[i].length
                                + " columns; every row needs " + s + " (queries + text)");
            }
            copy[i] = allowed[i].clone();
        }
        return new AttentionMask(name, numQueries, textLength, copy);
    }

    private interface Rule {
        boolean allows(int row, int col);
    }

    private static AttentionMask of(String name, int q, int t, Rule rule) {
        if (q < 0 || t < 0 || q + t == 0) {
            throw new IllegalArgumentException(
                    "a mask needs at least one position; got " + q + " queries and " + t + " text tokens");
        }
        int s = q + t;
        boolean[][] a = new boolean[s][s];
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < s; j++) {
                a[i][j] = rule.allows(i, j);
            }
        }
        return new AttentionMask(name, q, t, a);
    }

    public String name() {
        return name;
    }

    public int numQueries() {
        return numQueries;
    }

    public int textLength() {
        return textLength;
    }

    public int size() {
        return numQueries + textLength;
    }

    public boolean allows(int row, int col) {
        return allowed[row][col];
    }

    /** A copy of the matrix (for drawing). */
    public boolean[][] matrix() {
        boolean[][] copy = new boolean[allowed.length][];
        for (int i = 0; i < allowed.length; i++) {
            copy[i] = allowed[i].clone();
        }
        return copy;
    }

    /** Row and column labels q0..q{Q-1}, t0..t{T-1}. */
    public String[] labels() {
        String[] l = new String[size()];
        for (int i = 0; i < size(); i++) {
            l[i] = i < numQueries ? "q" + i : "t" + (i - numQueries);
        }
        return l;
    }

    /**
     * The additive attention bias [B, 1, rows, Q+T] for rows {@code [rowFrom, rowTo)} of this mask,
     * combined with the text padding mask (int64 or float [B, T], 1 = real token): 0 where
     * attending is allowed, {@link #BLOCKED} elsewhere.
     */
    public NDArray bias(NDManager manager, NDArray textMask, int rowFrom, int rowTo) {
        int s = size();
        if (textMask != null && textMask.getShape().get(1) != textLength) {
            throw new IllegalArgumentException(
                    "text padding mask has length " + textMask.getShape().get(1) + " but mask '" + name
                            + "' was built for " + textLength + " text tokens");
        }
        float[] rows = Arrays.copyOfRange(flat, rowFrom * s, rowTo * s);
        NDArray structure = manager.create(rows, new Shape(1, 1, rowTo - rowFrom, s));
        NDArray allowedNow = structure;
        if (textMask != null) {
            long b = textMask.getShape().get(0);
            NDArray keys =
                    manager.ones(new Shape(b, numQueries))
                            .concat(textMask.toType(DataType.FLOAT32, false), 1)
                            .reshape(b, 1, 1, s);
            allowedNow = structure.mul(keys);
        }
        return allowedNow.sub(1f).mul(-BLOCKED);
    }

    /** The bias for the whole mask. */
    public NDArray bias(NDManager manager, NDArray textMask) {
        return bias(manager, textMask, 0, size());
    }

    /** The bias of a text-only pass: only padded keys are blocked. [B, 1, 1, T] */
    public static NDArray paddingBias(NDArray textMask) {
        NDArray m = textMask.toType(DataType.FLOAT32, false);
        return m.sub(1f).mul(-BLOCKED).expandDims(1).expandDims(1);
    }

    /** The matrix drawn with one character per cell: '#' may attend, '.' blocked. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(name).append(" mask (").append(numQueries).append(" queries, ")
                .append(textLength).append(" text; row attends to column; # = allowed)\n");
        String[] labels = labels();
        sb.append("     ");
        for (int j = 0; j < size(); j++) {
            sb.append(j == numQueries ? "|" : "").append(j < numQueries ? 'q' : 't');
        }
        sb.append('\n');
        for (int i = 0; i < size(); i++) {
            if (i == numQueries) {
                sb.append("     ").append("-".repeat(size() + 1)).append('\n');
            }
            sb.append(String.format("%-4s ", labels[i]));
            for (int j = 0; j < size(); j++) {
                sb.append(j == numQueries ? "|" : "").append(allowed[i][j] ? '#' : '.');
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
