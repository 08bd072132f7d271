package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.qformerlab.blip2.data.Position;

/**
 * Which cell of the shapes world's 3x3 {@link Position} grid each patch of a {@code g x g} patch
 * grid falls in, and the mean patch token of each cell. Patch {@code (r, c)} (index {@code r*g + c})
 * belongs to cell {@code (r*3/g, c*3/g)}; when g is not a multiple of 3 a patch that straddles two
 * cells goes to the upper or left one. What the encoder's pretraining heads and the
 * {@link FeatureProbe} read as "the features of a cell".
 */
public final class GridCells {

    /** Cells of the grid: {@link Position#GRID} squared. */
    public static final int CELLS = Position.GRID * Position.GRID;

    private GridCells() {}

    /** The cell (the {@link Position} ordinal) of patch {@code patch} of a {@code grid x grid} patch grid. */
    public static int cellOf(int patch, int grid) {
        if (grid < 1 || patch < 0 || patch >= grid * grid) {
            throw new IllegalArgumentException("patch " + patch + " is not on a " + grid + "x" + grid + " patch grid");
        }
        return (patch / grid) * Position.GRID / grid * Position.GRID + (patch % grid) * Position.GRID / grid;
    }

    /**
     * The averaging matrix [CELLS, grid^2]: row k holds 1/n at the n patches of cell k. A cell with
     * no patch (grid below 3) has a zero row.
     */
    public static NDArray averaging(NDManager manager, int grid) {
        int patches = grid * grid;
        float[] m = new float[CELLS * patches];
        int[] count = new int[CELLS];
        for (int p = 0; p < patches; p++) {
            count[cellOf(p, grid)]++;
        }
        for (int p = 0; p < patches; p++) {
            int cell = cellOf(p, grid);
            m[cell * patches + p] = 1f / count[cell];
        }
        return manager.create(m, new Shape(CELLS, patches));
    }
}
