package org.qformerlab.blip2.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class DropoutTest {

    @Test
    void dropsAboutTheRateAndScalesTheSurvivors() {
        try (NDManager m = NDManager.newBaseManager()) {
            Seeds.set(1);
            float[] y = Dropout.apply(m.ones(new Shape(200_003)), 0.25f, true).toFloatArray();
            int dropped = 0;
            for (float v : y) {
                if (v == 0f) {
                    dropped++;
                } else {
                    assertEquals(1f / 0.75f, v, 1e-6f, "a survivor is scaled by 1 / (1 - rate)");
                }
            }
            // binomial(200003, 0.25): standard deviation about 194, so 5 sd is 970
            assertEquals(0.25 * y.length, dropped, 970, "fraction dropped");
        }
    }

    @Test
    void theSameSeedDrawsTheSameMaskAndAnotherSeedAnother() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new Shape(3, 70_000)); // more than one block, filled in parallel
            Seeds.set(7);
            float[] a = Dropout.apply(x, 0.1f, true).toFloatArray();
            Seeds.set(7);
            float[] b = Dropout.apply(x, 0.1f, true).toFloatArray();
            Seeds.set(8);
            float[] c = Dropout.apply(x, 0.1f, true).toFloatArray();
            assertArrayEquals(a, b);
            assertFalse(java.util.Arrays.equals(a, c));
        }
    }

    @Test
    void isTheIdentityOutsideTrainingAndAtRateZero() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(4, 5));
            assertSame(x, Dropout.apply(x, 0.5f, false));
            assertSame(x, Dropout.apply(x, 0f, true));
            assertThrows(IllegalArgumentException.class, () -> Dropout.apply(x, 1f, true));
        }
    }

    @Test
    void theGradientIsTheMask() {
        try (NDManager m = NDManager.newBaseManager()) {
            Seeds.set(3);
            NDArray x = m.randomNormal(new Shape(64, 33));
            x.setRequiresGradient(true);
            float[] y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray out = Dropout.apply(x, 0.5f, true);
                y = out.toFloatArray();
                gc.backward(out.sum());
            }
            float[] g = x.getGradient().toFloatArray();
            float[] xv = x.toFloatArray();
            for (int i = 0; i < g.length; i++) {
                assertTrue(g[i] == 0f || g[i] == 2f, "gradient is 0 or 1 / (1 - rate)");
                // exactly: x times the float mask 1 / (1 - rate), although the mask is kept as bytes
                assertEquals(g[i] * xv[i], y[i], 0f, "y = x * mask");
            }
        }
    }
}
