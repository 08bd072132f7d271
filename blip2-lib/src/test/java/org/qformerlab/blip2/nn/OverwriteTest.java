package org.qformerlab.blip2.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** Values written into an array stay there after their source is closed and its memory reused. */
class OverwriteTest {

    @Test
    void copiedValuesOutliveTheirSourceAndTheWrapperTheyWereWrittenThrough() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new Shape(2, 2));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(x.sum()); // defines the gradient (all ones)
            }
            // a gradient is reached through a new, short-lived wrapper each time, like a parameter's
            // tensor through a temporary handle
            try (NDManager temp = m.newSubManager()) {
                NDArray g = x.getGradient();
                g.attach(temp);
                Overwrite.copy(g, temp.create(new float[] {1, 2, 3, 4}, new Shape(2, 2)));
            }
            FreedJavaMemory.poison();
            try (NDManager read = m.newSubManager()) {
                NDArray g = x.getGradient();
                g.attach(read);
                assertArrayEquals(new float[] {1, 2, 3, 4}, g.toFloatArray());
            }
        }
    }

    @Test
    void copyConvertsTheTypeAndHandlesScalars() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray scalar = m.zeros(new Shape());
            Overwrite.copy(scalar, m.create(new double[] {0.25}, new Shape()));
            assertEquals(DataType.FLOAT32, scalar.getDataType());
            assertEquals(0.25f, scalar.getFloat());
        }
    }

    @Test
    void copyRefusesAnotherShape() {
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Overwrite.copy(m.zeros(new Shape(2, 2)), m.zeros(new Shape(4))));
            assertTrue(e.getMessage().contains("(4)") && e.getMessage().contains("(2, 2)"), e.getMessage());
        }
    }

    @Test
    void fillClearsNaNWhichMultiplyingByZeroKeeps() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray g = m.create(new float[] {Float.NaN, 1f, Float.POSITIVE_INFINITY});
            assertTrue(Float.isNaN(g.mul(0).toFloatArray()[0]));
            Overwrite.fill(g, 0f);
            assertArrayEquals(new float[] {0f, 0f, 0f}, g.toFloatArray());
        }
    }

    /** A fill leaves no array behind in the target's manager (the optimizer fills every step). */
    @Test
    void fillLeavesNoArrayBehind() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1f, 2f});
            int before = m.getManagedArrays().size();
            for (int i = 0; i < 5; i++) {
                Overwrite.fill(x, 3f);
            }
            assertEquals(before, m.getManagedArrays().size(), "arrays left in the target's manager");
            assertArrayEquals(new float[] {3f, 3f}, x.toFloatArray());
        }
    }
}
