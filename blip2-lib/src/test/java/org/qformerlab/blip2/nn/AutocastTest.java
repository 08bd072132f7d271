package org.qformerlab.blip2.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * The autocast on a CPU in float16 (the one reduced format a CPU can create: bfloat16 aborts the
 * JVM there, so it is never used in a test). The cast rules are the same on a GPU.
 */
class AutocastTest {

    @Test
    void withoutAnAutocastEveryOperandIsItselfSoFloat32RunsAreUnchanged() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(2, 3));
            assertSame(x, Autocast.compute(x));
            assertSame(x, Autocast.full(x));
            try (Autocast ignored = Autocast.open(Precision.FLOAT32, m)) {
                assertSame(x, Autocast.compute(x), "float32 opens no autocast");
                assertEquals(DataType.FLOAT32, Autocast.computeType());
            }
        }
    }

    @Test
    void linearLayersComputeInFloat16NormsInFloat32AndGradientsReachTheFloat32Masters() {
        try (NDManager m = NDManager.newBaseManager()) {
            Seeds.set(3);
            Dense dense = new Dense(8, 4);
            Norm norm = new Norm(4, 1e-5);
            dense.initialize(m, DataType.FLOAT32);
            norm.initialize(m, DataType.FLOAT32);
            NDArray x = m.randomNormal(new Shape(5, 8));
            NDArray w = dense.weight();
            w.setRequiresGradient(true);

            float[] gradient32;
            try (NDManager scope = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(norm.forward(dense.forward(x)).square().sum());
                gradient32 = w.getGradient().toFloatArray();
                Backward.zeroGradient(w);
            }
            try (NDManager scope = m.newSubManager()) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray h;
                    NDArray y;
                    try (Autocast ignored = Autocast.open(Precision.FLOAT16, scope)) {
                        h = dense.forward(x);
                        y = norm.forward(h);
                        assertEquals(DataType.FLOAT16, Autocast.computeType());
                        NDArray cast = Autocast.compute(w);
                        assertSame(cast, Autocast.compute(w), "a parameter is cast once per autocast");
                        assertSame(scope, cast.getManager(), "the cast of a parameter belongs to the step, not the model");
                    }
                    assertEquals(DataType.FLOAT16, h.getDataType(), "the linear layer computes in float16");
                    assertEquals(DataType.FLOAT32, y.getDataType(), "the layer norm computes in float32");
                    gc.backward(y.square().sum());
                }
                assertEquals(DataType.FLOAT32, w.getDataType(), "the master weight stays float32");
                NDArray g = w.getGradient();
                assertEquals(DataType.FLOAT32, g.getDataType(), "its gradient arrives in float32");
                float[] gradient16 = g.toFloatArray();
                double diff = 0;
                double size = 0;
                for (int i = 0; i < gradient16.length; i++) {
                    diff += Math.pow(gradient16[i] - gradient32[i], 2);
                    size += Math.pow(gradient32[i], 2);
                }
                double relative = Math.sqrt(diff / size);
                System.out.println("autocast float16: relative gradient error against float32 " + relative);
                assertTrue(relative > 0 && relative < 1e-2, "float16 gradient off float32 by " + relative);
            }
        }
    }

    @Test
    void fullCastsReducedArraysToFloat32AndAutocastsNest() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray half = m.ones(new Shape(2)).toType(DataType.FLOAT16, false);
            assertEquals(DataType.FLOAT32, Autocast.full(half).getDataType());
            try (Autocast outer = Autocast.open(Precision.FLOAT16, m)) {
                try (Autocast inner = Autocast.open(Precision.FLOAT32, m)) {
                    NDArray x = m.ones(new Shape(2));
                    assertSame(x, Autocast.compute(x), "an inner float32 autocast computes in float32");
                }
                NDArray x = m.ones(new Shape(2));
                assertNotSame(x, Autocast.compute(x));
                assertEquals(DataType.FLOAT16, Autocast.compute(x).getDataType(), "the outer one is back");
            }
            assertEquals(DataType.FLOAT32, Autocast.computeType(), "closed: no autocast");
        }
    }
}
