package org.qformerlab.blip2.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;

class LossScalerTest {

    @Test
    void anOverflowHalvesTheScaleAndSkipsAndCleanStepsDoubleIt() {
        LossScaler s = LossScaler.dynamic(1024, 3);
        assertTrue(s.update(true));
        assertTrue(s.update(true));
        assertEquals(1024, s.scale(), "two clean steps: not yet");
        assertTrue(s.update(true));
        assertEquals(2048, s.scale(), "the third clean step in a row doubles the scale");
        assertEquals(0, s.cleanSteps());
        assertTrue(s.update(true));
        assertFalse(s.update(false), "a non-finite gradient: skip the step");
        assertEquals(1024, s.scale(), "and halve the scale");
        assertEquals(0, s.cleanSteps(), "the count of clean steps starts again");
        assertEquals(1, s.skippedSteps());
        assertTrue(s.update(true));
        assertTrue(s.update(true));
        assertEquals(1024, s.scale(), "the count restarted after the skip");
        assertTrue(s.update(true));
        assertEquals(2048, s.scale());
    }

    @Test
    void theScaleIsExhaustedAfterOverflowingAtEveryScale() {
        LossScaler s = LossScaler.dynamic();
        int skips = 0;
        while (!s.exhausted()) {
            assertFalse(s.update(false));
            skips++;
        }
        assertEquals(33, skips, "from 2^16 down past 2^-16");
    }

    @Test
    void offChangesNothing() {
        try (NDManager m = NDManager.newBaseManager()) {
            LossScaler off = LossScaler.forPrecision(Precision.BFLOAT16);
            NDArray loss = m.create(2f);
            assertFalse(off.enabled());
            assertSame(loss, off.scale(loss));
            assertTrue(off.update(true));
            assertFalse(off.update(false), "a non-finite gradient is not applied, and not skipped either: the trainer stops");
            assertEquals(1, off.scale());
            assertFalse(off.exhausted());
            assertTrue(LossScaler.forPrecision(Precision.FLOAT16).enabled());
            assertFalse(LossScaler.forPrecision(Precision.FLOAT32).enabled());
        }
    }

    @Test
    void badSettingsAreRefusedWithTheRule() {
        var e = assertThrows(IllegalArgumentException.class, () -> LossScaler.dynamic(1000, 10));
        assertTrue(e.getMessage().contains("power of two"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LossScaler.dynamic(1024, 0));
        assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
    }

    /**
     * A loss so small that its float16 gradients underflow to zero: without scaling the weight's
     * gradient is lost; scaled by 2^16 and unscaled, it equals the float32 gradient within 1%.
     */
    @Test
    void unscaledFloat16GradientsEqualFloat32OnesWhereUnscaledFloat16OnesUnderflow() {
        try (NDManager m = NDManager.newBaseManager()) {
            Seeds.set(11);
            Dense dense = new Dense(16, 10);
            dense.initialize(m, DataType.FLOAT32);
            Parameter weight = dense.namedParameters().get("weight");
            weight.getArray().setRequiresGradient(true);
            NDArray x = m.randomNormal(new Shape(8, 16));
            NDArray labels = m.randomInteger(0, 10, new Shape(8), DataType.INT64);

            float[] g32 = gradient(m, dense, weight, x, labels, Precision.FLOAT32, LossScaler.off());
            float[] unscaled16 = gradient(m, dense, weight, x, labels, Precision.FLOAT16, LossScaler.off());
            LossScaler scaler = LossScaler.dynamic();
            float[] scaled16 = gradient(m, dense, weight, x, labels, Precision.FLOAT16, scaler);

            double lost = relativeError(unscaled16, g32);
            double kept = relativeError(scaled16, g32);
            System.out.printf("loss 1e-7 * CE: float16 gradient error against float32 %.3g unscaled, %.3g with scale 2^16%n",
                    lost, kept);
            assertTrue(lost > 0.5, "without scaling the float16 gradients underflow: error " + lost);
            assertTrue(kept < 1e-2, "scaled and unscaled, the float16 gradient matches float32: error " + kept);
            assertEquals(65536, scaler.scale(), "unscaling leaves the scale as it is");
        }
    }

    private static float[] gradient(NDManager m, Dense dense, Parameter weight, NDArray x, NDArray labels,
                                    Precision precision, LossScaler scaler) {
        try (NDManager scope = m.newSubManager()) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss;
                try (Autocast ignored = Autocast.open(precision, scope)) {
                    loss = Scalars.times(CrossEntropy.loss(dense.forward(x), labels, 0, null), 1e-7);
                }
                gc.backward(scaler.scale(loss));
            }
            scaler.unscale(List.of(weight));
            NDArray g = weight.getArray().getGradient();
            float[] out = g.toFloatArray();
            g.close();
            Overwrite.fill(weight.getArray().getGradient(), 0f);
            return out;
        }
    }

    private static double relativeError(float[] a, float[] b) {
        double diff = 0;
        double size = 0;
        for (int i = 0; i < a.length; i++) {
            diff += Math.pow(a[i] - b[i], 2);
            size += Math.pow(b[i], 2);
        }
        return Math.sqrt(diff / size);
    }
}
