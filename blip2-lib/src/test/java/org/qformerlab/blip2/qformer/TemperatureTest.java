package org.qformerlab.blip2.qformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.config.QFormerConfig;

/** The optional temperature clamp behaves as BLIP-1's {@code temp.clamp_(0.001, 0.5)}. */
class TemperatureTest {

    @Test
    void clampMovesTheParameterBackIntoRangeAndKeepsItsGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            Blip2QFormer model = Blip2QFormer.create(QFormerConfig.tiny(), m);
            NDArray p = model.temperatureParameter().getArray();
            p.set(new float[] {-0.3f});
            try (NDManager step = m.newSubManager();
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray t = model.temperature(step, true);
                assertEquals(0.001f, t.getFloat(), 1e-9, "the value used is the clamped one");
                gc.backward(t.mul(3f));
            }
            assertEquals(0.001f, p.getFloat(), 1e-9, "the parameter itself was clamped");
            assertEquals(3f, p.getGradient().getFloat(), 1e-6, "a clamped temperature still receives its gradient");
        }
    }

    @Test
    void withoutClampTheTemperatureIsUsedAsItIs() {
        try (NDManager m = NDManager.newBaseManager()) {
            Blip2QFormer model = Blip2QFormer.create(QFormerConfig.tiny(), m);
            model.temperatureParameter().getArray().set(new float[] {0.9f});
            try (NDManager step = m.newSubManager()) {
                assertEquals(0.9f, model.temperature(step, false).getFloat(), 1e-7);
            }
            assertNotEquals(0.5f, model.temperatureParameter().getArray().getFloat());
        }
    }
}
