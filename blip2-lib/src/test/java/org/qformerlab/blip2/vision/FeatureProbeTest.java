package org.qformerlab.blip2.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.qformerlab.blip2.experiment.ImageFeatures;

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
        }
    }
}
