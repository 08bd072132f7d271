package org.qformerlab.blip2.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.SceneObject;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.data.ShapesWorldConfig;
import org.qformerlab.blip2.data.Split;

class FeatureProbeTest {

    /** Features that spell out the scene (one token per object slot), or pure noise. */
    private static ImageFeatures fake(ShapesDataset data, boolean informative) {
        Map<Integer, float[]> rows = new HashMap<>();
        SplittableRandom rng = new SplittableRandom(3);
        for (Split split : Split.values()) {
            for (Sample s : data.split(split)) {
                float[] v = new float[2 * 32];
                for (int k = 0; k < v.length; k++) {
                    v[k] = (float) rng.nextGaussian() * 0.01f;
                }
                if (informative) {
                    for (SceneObject o : s.scene().objects()) { // mean-pooled patch token: a bag of attributes
                        v[32 + o.colour().ordinal()] += 1;
                        v[32 + 6 + o.shape().ordinal()] += 1;
                        v[32 + 11 + o.size().ordinal()] += 1;
                        v[32 + 13 + o.position().ordinal()] += 1;
                    }
                    v[s.scene().size()] = 1; // class token: the object count, one-hot
                }
                rows.put(s.id(), v);
            }
        }
        return new ImageFeatures() {
            @Override
            public NDArray get(NDManager scope, int[] ids) {
                float[] out = new float[ids.length * 64];
                for (int i = 0; i < ids.length; i++) {
                    System.arraycopy(rows.get(ids[i]), 0, out, i * 64, 64);
                }
                return scope.create(out, new Shape(ids.length, 2, 32)); // [class token ; one patch token]
            }

            @Override
            public int width() {
                return 32;
            }
        };
    }

    @Test
    void theProbeReadsWhatTheFeaturesCarryAndNothingElse() {
        ShapesDataset data = ShapesWorld.generate(ShapesWorldConfig.defaults(5).withCounts(600, 0, 150, 0));
        List<Sample> fit = data.split(Split.TRAIN);
        List<Sample> scored = data.split(Split.TEST);
        try (NDManager m = NDManager.newBaseManager()) {
            FeatureProbe.Result oracle = FeatureProbe.run(fake(data, true), fit, scored, 3, m);
            FeatureProbe.Result noise = FeatureProbe.run(fake(data, false), fit, scored, 3, m);
            for (String attribute : List.of("colours", "shapes", "sizes", "positions", "count")) {
                assertTrue(oracle.accuracy().get(attribute) >= 0.95, attribute + " " + oracle);
                assertTrue(noise.accuracy().get(attribute) <= noise.baseline().get(attribute) + 0.1, attribute + " " + noise);
            }
            assertTrue(oracle.baseline().get("colours") < 0.5, oracle.toString());
            // a bag of attributes does not say which colour goes with which shape where
            assertTrue(oracle.accuracy().get("object_colour") < 0.9, oracle.toString());
        }
    }

    /** A ViT-like layout, [class token ; 3x3 patches]: each cell's patch names its object's colour, shape and size. */
    private static ImageFeatures perCell(ShapesDataset data) {
        int d = 16;
        int tokens = 1 + 9;
        Map<Integer, float[]> rows = new HashMap<>();
        SplittableRandom rng = new SplittableRandom(4);
        for (Split split : Split.values()) {
            for (Sample s : data.split(split)) {
                float[] v = new float[tokens * d];
                for (int k = 0; k < v.length; k++) {
                    v[k] = (float) rng.nextGaussian() * 0.01f;
                }
                v[s.scene().size()] = 1; // class token: the count
                for (SceneObject o : s.scene().objects()) {
                    int at = (1 + o.position().ordinal()) * d;
                    v[at] = 1; // occupied
                    v[at + 1 + o.colour().ordinal()] = 1;
                    v[at + 7 + o.shape().ordinal()] = 1;
                    v[at + 12 + o.size().ordinal()] = 1;
                }
                rows.put(s.id(), v);
            }
        }
        return new ImageFeatures() {
            @Override
            public NDArray get(NDManager scope, int[] ids) {
                float[] out = new float[ids.length * tokens * d];
                for (int i = 0; i < ids.length; i++) {
                    System.arraycopy(rows.get(ids[i]), 0, out, i * tokens * d, tokens * d);
                }
                return scope.create(out, new Shape(ids.length, tokens, d));
            }

            @Override
            public int width() {
                return d;
            }
        };
    }

    @Test
    void eachObjectsAttributesAreReadAtItsOwnCell() {
        ShapesDataset data = ShapesWorld.generate(ShapesWorldConfig.defaults(5).withCounts(600, 0, 150, 0));
        try (NDManager m = NDManager.newBaseManager()) {
            FeatureProbe.Result r = FeatureProbe.run(perCell(data), data.split(Split.TRAIN), data.split(Split.TEST), 3, m);
            for (String attribute : List.of("object_colour", "object_shape", "object_size", "positions", "count")) {
                assertTrue(r.accuracy().get(attribute) >= 0.95, attribute + " " + r);
            }
            assertTrue(r.baseline().get("object_colour") < 0.35, r.toString()); // six colours, about equally often
        }
    }

    @Test
    void theClassTokenIsToldApartFromAGridOfPatches() {
        assertEquals(1, FeatureProbe.classTokens(65)); // a ViT: class token + 8x8
        assertEquals(0, FeatureProbe.classTokens(16)); // pixel patches: 4x4
        assertEquals(1, FeatureProbe.classTokens(10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeatureProbe.classTokens(12));
        assertTrue(e.getMessage().contains("12 tokens"), e.getMessage());
    }

    @Test
    void ridgeRegressionMatchesHandComputationsInBothForms() {
        try (NDManager m = NDManager.newBaseManager()) {
            // primal (d = 1 <= n = 3): w = sum(xy) / (sum(x^2) + lambda) = 28 / 15
            double[][] p = FeatureProbe.ridgePredict(new double[][] {{1}, {2}, {3}}, new double[][] {{2}, {4}, {6}},
                    new double[][] {{1}, {10}}, 1.0, m);
            assertEquals(28.0 / 15, p[0][0], 1e-12);
            assertEquals(280.0 / 15, p[1][0], 1e-12);
            // dual (d = 2 > n = 1): b a^T (a a^T + lambda)^-1 y = (1*1 + 2*2) / (5 + 1) * 3
            double[][] q = FeatureProbe.ridgePredict(new double[][] {{1, 2}}, new double[][] {{3}},
                    new double[][] {{1, 2}, {2, -1}}, 1.0, m);
            assertEquals(2.5, q[0][0], 1e-12);
            assertEquals(0.0, q[1][0], 1e-12); // orthogonal to the only fitted row
        }
    }
}
