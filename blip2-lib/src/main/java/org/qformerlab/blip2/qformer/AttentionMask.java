package org.qformerlab.blip2.qformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.qformerlab.blip2.config.MaskSpec;
import org.qformerlab.blip2.config.StandardMask;

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
 * <p>A config names each branch's mask as a {@link MaskSpec} (a standard mask, block rules or a
 * matrix); {@link #of} builds the matrix it stands for at a batch's size.
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
        return of("ITC", StandardMask.UNIMODAL, numQueries, textLength);
    }

    /** ITG: queries attend to queries; text token i attends to all queries and text tokens <= i. */
    public static AttentionMask multimodalCausal(int numQueries, int textLength) {
        return of("ITG", StandardMask.MULTIMODAL_CAUSAL, numQueries, textLength);
    }

    /** ITM: every position attends to every position. */
    public static AttentionMask bidirectional(int numQueries, int textLength) {
        return of("ITM", StandardMask.BIDIRECTIONAL, numQueries, textLength);
    }

    /**
     * The mask a config names for one branch, at a batch's size: a standard mask, block rules, or a
     * matrix (whose top-left corner serves batches of shorter text). Named "{@code branch label}",
     * e.g. "ITC uni-modal". Standard masks are built once per (branch, kind, Q, T) and shared.
     */
    public static AttentionMask of(String branch, MaskSpec spec, int numQueries, int textLength) {
        String name = branch + " " + spec.label();
        if (spec instanceof StandardMask) {
            return BUILT.computeIfAbsent(name + ":" + numQueries + ":" + textLength,
                    k -> of(name, numQueries, textLength, (i, j) -> spec.allows(i, j, numQueries, textLength)));
        }
        return of(name, numQueries, textLength, (i, j) -> spec.allows(i, j, numQueries, textLength));
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

    /** Whether rows {@code [rowFrom, rowTo)} may attend to every column of {@code [colFrom, colTo)}. */
    public boolean allowsAll(int rowFrom, int rowTo, int colFrom, int colTo) {
        for (int i = rowFrom; i < rowTo; i++) {
            for (int j = colFrom; j < colTo; j++) {
                if (!allowed[i][j]) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether no row of {@code [rowFrom, rowTo)} may attend to any column of {@code [colFrom, colTo)}. */
    public boolean allowsNone(int rowFrom, int rowTo, int colFrom, int colTo) {
        for (int i = rowFrom; i < rowTo; i++) {
            for (int j = colFrom; j < colTo; j++) {
                if (allowed[i][j]) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Whether queries and text never meet (no query sees text, no text sees a query): then running
     * the queries alone and the text alone, each under its own block, is the same function as one
     * joint pass, and cheaper.
     */
    public boolean separatesQueriesAndText() {
        int q = numQueries;
        int s = size();
        return allowsNone(0, q, q, s) && allowsNone(q, s, 0, q);
    }

    /** Whether the queries' block (queries -> queries) of this mask and {@code other} agree. */
    public boolean sameQueryBlock(AttentionMask other) {
        if (other.numQueries != numQueries) {
            return false;
        }
        for (int i = 0; i < numQueries; i++) {
            for (int j = 0; j < numQueries; j++) {
                if (allowed[i][j] != other.allowed[i][j]) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The bias of a query-only pass, from the queries' block: null when every query sees every query
     * (nothing to add), else [1, 1, Q, Q].
     */
    public NDArray queryBias(NDManager manager) {
        int q = numQueries;
        if (allowsAll(0, q, 0, q)) {
            return null;
        }
        float[] block = new float[q * q];
        for (int i = 0; i < q; i++) {
            for (int j = 0; j < q; j++) {
                block[i * q + j] = allowed[i][j] ? 0f : BLOCKED;
            }
        }
        return manager.create(block, new Shape(1, 1, q, q));
    }

    /**
     * The bias of a text-only pass, from the text's block with padding: {@link #paddingBias} when
     * every token sees every token, else [B, 1, T, T].
     */
    public NDArray textBias(NDManager manager, NDArray textMask) {
        int q = numQueries;
        int t = textLength;
        if (allowsAll(q, q + t, q, q + t)) {
            return paddingBias(textMask);
        }
        float[] block = new float[t * t];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < t; j++) {
                block[i * t + j] = allowed[q + i][q + j] ? 1f : 0f;
            }
        }
        NDArray structure = manager.create(block, new Shape(1, 1, t, t));
        long b = textMask.getShape().get(0);
        NDArray keys = textMask.toType(DataType.FLOAT32, false).reshape(b, 1, 1, t);
        return structure.mul(keys).sub(1f).mul(-BLOCKED);
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
