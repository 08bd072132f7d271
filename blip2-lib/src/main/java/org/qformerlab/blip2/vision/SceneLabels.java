package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.qformerlab.blip2.data.Colour;
import org.qformerlab.blip2.data.Position;
import org.qformerlab.blip2.data.Scene;
import org.qformerlab.blip2.data.SceneObject;
import org.qformerlab.blip2.data.ShapeType;
import org.qformerlab.blip2.data.Size;

/**
 * What the encoder's pretraining heads ({@link AttributeHeads}) are told about a batch of scenes,
 * as arrays in one scope:
 *
 * <ul>
 *   <li>{@code present} [B, 22]: which colours (6), shapes (5), sizes (2) and cells (9) occur, 0/1;</li>
 *   <li>{@code count} [B]: the number of objects minus one;</li>
 *   <li>per cell of the 3x3 grid, flattened to [B*9]: {@code cellColour} (0 = empty, else colour
 *       ordinal + 1), {@code cellShape} and {@code cellSize} (ordinals; 0 for an empty cell, where
 *       {@code occupied} is 0 and the two do not count);</li>
 *   <li>per patch of the {@code grid x grid} patch grid, flattened to [B*grid^2]: {@code patchShape},
 *       0 when no object's bounding square overlaps the patch, else the shape ordinal + 1 of the
 *       object that overlaps it most.</li>
 * </ul>
 */
public record SceneLabels(NDArray present, NDArray count, NDArray cellColour, NDArray cellShape, NDArray cellSize,
                          NDArray occupied, NDArray patchShape) {

    /** Colours, shapes, sizes, cells: the width of {@link #present()}. */
    public static final int PRESENT_BITS =
            Colour.values().length + ShapeType.values().length + Size.values().length + Position.values().length;

    /** The labels of {@code scenes} for an encoder of {@code grid x grid} patches, created in {@code scope}. */
    public static SceneLabels of(List<Scene> scenes, int maxObjects, int grid, NDManager scope) {
        int b = scenes.size();
        int cells = GridCells.CELLS;
        float[] present = new float[b * PRESENT_BITS];
        long[] count = new long[b];
        long[] colour = new long[b * cells];
        long[] shape = new long[b * cells];
        long[] size = new long[b * cells];
        float[] occupied = new float[b * cells];
        long[] patchShape = new long[b * grid * grid];
        int shapes = Colour.values().length;
        int sizes = shapes + ShapeType.values().length;
        int positions = sizes + Size.values().length;
        for (int i = 0; i < b; i++) {
            Scene scene = scenes.get(i);
            if (scene.size() > maxObjects) {
                throw new IllegalArgumentException("a scene has " + scene.size() + " objects but the count head knows 1.."
                        + maxObjects + ": raise maxObjects");
            }
            count[i] = scene.size() - 1;
            for (SceneObject o : scene.objects()) {
                int row = i * PRESENT_BITS;
                present[row + o.colour().ordinal()] = 1;
                present[row + shapes + o.shape().ordinal()] = 1;
                present[row + sizes + o.size().ordinal()] = 1;
                present[row + positions + o.position().ordinal()] = 1;
                int cell = i * cells + o.position().ordinal();
                colour[cell] = o.colour().ordinal() + 1;
                shape[cell] = o.shape().ordinal();
                size[cell] = o.size().ordinal();
                occupied[cell] = 1;
            }
            patchShapes(scene, grid, patchShape, i * grid * grid);
        }
        return new SceneLabels(scope.create(present, new Shape(b, PRESENT_BITS)), scope.create(count),
                scope.create(colour), scope.create(shape), scope.create(size), scope.create(occupied),
                scope.create(patchShape));
    }

    /** Per patch: the shape (+1) of the object whose bounding square overlaps it most, or 0. */
    private static void patchShapes(Scene scene, int grid, long[] out, int offset) {
        double side = 1.0 / grid;
        for (int r = 0; r < grid; r++) {
            for (int c = 0; c < grid; c++) {
                double best = 0;
                for (SceneObject o : scene.objects()) {
                    double radius = o.size().radius();
                    double w = Math.min(o.x() + radius, (c + 1) * side) - Math.max(o.x() - radius, c * side);
                    double h = Math.min(o.y() + radius, (r + 1) * side) - Math.max(o.y() - radius, r * side);
                    if (w > 0 && h > 0 && w * h > best) {
                        best = w * h;
                        out[offset + r * grid + c] = o.shape().ordinal() + 1;
                    }
                }
            }
        }
    }
}
