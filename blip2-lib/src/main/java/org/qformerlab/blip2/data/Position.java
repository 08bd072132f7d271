package org.qformerlab.blip2.data;

/**
 * Where an object is: one cell of a 3x3 grid over the image, derived from the object's centre
 * coordinates (x to the right, y downwards, both in [0, 1)). Rows are top/middle/bottom, columns
 * left/centre/right; the middle row's cells are called simply "left", "centre" and "right".
 */
public enum Position {
    TOP_LEFT(0, 0, "top left", "at the top left"),
    TOP(0, 1, "top", "at the top"),
    TOP_RIGHT(0, 2, "top right", "at the top right"),
    LEFT(1, 0, "left", "on the left"),
    CENTRE(1, 1, "centre", "in the centre"),
    RIGHT(1, 2, "right", "on the right"),
    BOTTOM_LEFT(2, 0, "bottom left", "at the bottom left"),
    BOTTOM(2, 1, "bottom", "at the bottom"),
    BOTTOM_RIGHT(2, 2, "bottom right", "at the bottom right");

    /** Number of rows (and of columns) in the grid. */
    public static final int GRID = 3;

    private final int row;
    private final int column;
    private final String word;
    private final String phrase;

    Position(int row, int column, String word, String phrase) {
        this.row = row;
        this.column = column;
        this.word = word;
        this.phrase = phrase;
    }

    /** The cell that contains the point (x, y), both fractions of the image side in [0, 1). */
    public static Position of(double x, double y) {
        if (!(x >= 0 && x < 1 && y >= 0 && y < 1)) {
            throw new IllegalArgumentException("coordinates must lie in [0, 1), got (" + x + ", " + y + ")");
        }
        return at(band(y), band(x));
    }

    /** The cell in the given row and column (each 0..2). */
    public static Position at(int row, int column) {
        if (row < 0 || row >= GRID || column < 0 || column >= GRID) {
            throw new IllegalArgumentException("row and column must be in 0.." + (GRID - 1) + ", got " + row + ", " + column);
        }
        return values()[row * GRID + column];
    }

    private static int band(double v) {
        return Math.min(GRID - 1, (int) Math.floor(v * GRID));
    }

    /** 0 = top, 2 = bottom. */
    public int row() {
        return row;
    }

    /** 0 = left, 2 = right. */
    public int column() {
        return column;
    }

    /** The bare name used in scene descriptions, e.g. {@code "top left"}. */
    public String word() {
        return word;
    }

    /** The prepositional phrase used in captions, e.g. {@code "at the top left"}. */
    public String phrase() {
        return phrase;
    }

    /** Left edge of this cell as a fraction of the image side. */
    public double minX() {
        return (double) column / GRID;
    }

    /** Top edge of this cell as a fraction of the image side. */
    public double minY() {
        return (double) row / GRID;
    }
}
