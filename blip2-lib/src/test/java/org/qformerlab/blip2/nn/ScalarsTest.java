package org.qformerlab.blip2.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The gradient through an operation with a Java number is exact even when the JVM frees and reuses
 * direct memory between the forward and the backward pass (see {@link Scalars} for why DJL's own
 * {@code x.mul(3f)} is not).
 */
class ScalarsTest {

    private static float[] gradient(UnaryOperator<NDArray> f, float[] x0) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(x0).duplicate();
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = f.apply(x).sum();
                FreedJavaMemory.poison();
                gc.backward(y);
            }
            return x.getGradient().toFloatArray();
        }
    }

    @Test
    void timesKeepsItsFactorForTheBackwardPass() {
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(new float[] {3f, 3f, 3f}, gradient(x -> Scalars.times(x, 3), new float[] {1, -2, 5}));
        }
    }

    @Test
    void dividedByKeepsItsDivisor() {
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(new float[] {0.5f, 0.5f}, gradient(x -> Scalars.dividedBy(x, 2), new float[] {1, -2}));
        }
    }

    @Test
    void atLeastRoutesTheGradientOnlyAboveTheFloor() {
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(new float[] {0f, 1f, 0f},
                    gradient(x -> Scalars.atLeast(x, 0.5), new float[] {0.1f, 2f, -3f}));
        }
    }

    @Test
    void powerDifferentiatesAsPTimesXToTheMinusOne() {
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(new float[] {3f, 12f, 27f}, gradient(x -> Scalars.power(x, 3), new float[] {1, 2, -3}));
        }
    }

    @Test
    void resultHasTheArraysTypeAndShape() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new Shape(2, 3));
            NDArray y = Scalars.times(x, 0.5);
            assertArrayEquals(new long[] {2, 3}, y.getShape().getShape());
            assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f}, y.toFloatArray());
        }
    }
}
