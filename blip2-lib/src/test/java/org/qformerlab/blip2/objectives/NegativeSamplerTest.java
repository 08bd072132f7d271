package org.qformerlab.blip2.objectives;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.config.ItmNegatives;
import org.qformerlab.blip2.config.ObjectiveConfig;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.qformer.Blip2QFormer;

/** ITM's negatives: never the positive, and drawn with the probabilities each sampler promises. */
class NegativeSamplerTest {

    private static final int DRAWS = 4000;

    /** How often each column was drawn for row 0, over {@link #DRAWS} draws. */
    private static double[] frequencies(NegativeSampler sampler, NDManager m, float[] scores, int b) {
        NDArray sim = m.create(scores, new Shape(b, b));
        double[] counts = new double[b];
        for (int i = 0; i < DRAWS; i++) {
            try (NDManager scope = m.newSubManager()) {
                Negatives n = sampler.sample(new Itc.Similarities(sim.transpose(), sim));
                long[] imageForText = n.imageForText().toLongArray();
                long[] textForImage = n.textForImage().toLongArray();
                for (int row = 0; row < b; row++) {
                    assertNotEquals(row, imageForText[row], "text " + row + " was paired with its own image as a negative");
                    assertNotEquals(row, textForImage[row], "image " + row + " was paired with its own text as a negative");
                }
                counts[(int) imageForText[0]]++;
            }
        }
        for (int j = 0; j < b; j++) {
            counts[j] /= DRAWS;
        }
        return counts;
    }

    @Test
    void hardNegativesFollowTheSoftmaxOfTheSimilaritiesWithoutThePositive() {
        Seeds.set(3);
        try (NDManager m = NDManager.newBaseManager()) {
            // row 0: its own image scores highest (5), image 1 scores ln 3 above images 2 and 3
            float l3 = (float) Math.log(3);
            float[] scores = {5, l3, 0, 0, 0, 5, 0, 0, 0, 0, 5, 0, 0, 0, 0, 5};
            double[] f = frequencies(new HardNegativeSampler(), m, scores, 4);
            assertEquals(0.0, f[0]);
            assertEquals(0.6, f[1], 0.03, "softmax over {ln 3, 0, 0} gives image 1 probability 3/5");
            assertEquals(0.2, f[2], 0.03);
            assertEquals(0.2, f[3], 0.03);
        }
    }

    @Test
    void randomNegativesAreUniformOverTheOtherPairs() {
        Seeds.set(4);
        try (NDManager m = NDManager.newBaseManager()) {
            float[] scores = {5, 9, 0, -9, 0, 5, 0, 0, 0, 0, 5, 0, 0, 0, 0, 5};
            double[] f = frequencies(new RandomNegativeSampler(), m, scores, 4);
            assertEquals(0.0, f[0]);
            for (int j = 1; j < 4; j++) {
                assertEquals(1 / 3.0, f[j], 0.03, "image " + j + " should be drawn a third of the time, whatever its similarity");
            }
        }
    }

    @Test
    void pairsThatAlsoMatchAreNeverDrawnUnlessARowHasNothingElse() {
        Seeds.set(5);
        try (NDManager m = NDManager.newBaseManager()) {
            int b = 4;
            // text 1 also describes image 0; every other text describes image 3 as well
            float[] also = new float[b * b];
            also[0 * b + 1] = 1;
            also[3 * b + 0] = 1;
            also[3 * b + 1] = 1;
            also[3 * b + 2] = 1;
            also[3 * b + 3] = 1; // the diagonal may be marked too: it is the positive anyway
            NDArray alsoTrue = m.create(also, new Shape(b, b));
            NDArray sim = m.create(new float[b * b], new Shape(b, b)); // all equal: only the masks decide
            for (NegativeSampler sampler : new NegativeSampler[] {new HardNegativeSampler(), new RandomNegativeSampler()}) {
                int[][] textForImage = new int[b][b];
                int[][] imageForText = new int[b][b];
                for (int i = 0; i < 600; i++) {
                    try (NDManager scope = m.newSubManager()) {
                        Negatives n = sampler.sample(new Itc.Similarities(sim, sim.transpose()), alsoTrue);
                        long[] t = n.textForImage().toLongArray();
                        long[] im = n.imageForText().toLongArray();
                        for (int r = 0; r < b; r++) {
                            textForImage[r][(int) t[r]]++;
                            imageForText[r][(int) im[r]]++;
                        }
                    }
                }
                String name = sampler.getClass().getSimpleName();
                assertEquals(0, textForImage[0][1], name + ": text 1 describes image 0, so it is not its negative");
                assertTrue(textForImage[0][2] > 0 && textForImage[0][3] > 0, name);
                assertEquals(600, imageForText[1][2], name + ": text 1 describes images 0 and 3, which leaves image 2");
                assertEquals(0, imageForText[0][3], name + ": text 0 describes image 3");
                assertEquals(0, imageForText[2][3], name);
                // every other text describes image 3: rather than draw nothing, the row falls back to them
                assertEquals(0, textForImage[3][3], name + ": never the positive itself");
                assertTrue(textForImage[3][0] > 0 && textForImage[3][1] > 0 && textForImage[3][2] > 0, name);
            }
        }
    }

    @Test
    void theObjectiveHandsTheBatchsOtherMatchesToTheSampler() {
        Seeds.set(6);
        try (NDManager m = NDManager.newBaseManager()) {
            QFormerConfig c = QFormerConfig.tiny();
            Blip2QFormer model = Blip2QFormer.create(c, m);
            int b = 3;
            NDArray image = m.randomNormal(new Shape(b, 6, c.visionWidth()));
            NDArray ids = m.randomInteger(5, c.vocabSize(), new Shape(b, 5), DataType.INT64);
            NDArray mask = m.ones(new Shape(b, 5), DataType.INT64);
            // every image is also described by the text after its own: only the one before it is left
            float[] also = {0, 1, 0, 0, 0, 1, 1, 0, 0};
            NDArray alsoTrue = m.create(also, new Shape(b, b));
            Stage1Objective objective = new Stage1Objective(ObjectiveConfig.blip2());
            for (int draw = 0; draw < 20; draw++) {
                try (NDManager scope = m.newSubManager()) {
                    Negatives n = objective.forward(scope, model, image, ids, mask, alsoTrue, false).negatives();
                    assertArrayEquals(new long[] {2, 0, 1}, n.textForImage().toLongArray());
                    assertArrayEquals(new long[] {1, 2, 0}, n.imageForText().toLongArray());
                }
            }
        }
    }

    @Test
    void aBatchOfOneHasNoNegativesAndSaysWhatToChange() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray sim = m.create(new float[] {1}, new Shape(1, 1));
            for (NegativeSampler s : new NegativeSampler[] {new HardNegativeSampler(), new RandomNegativeSampler()}) {
                var e = assertThrows(IllegalArgumentException.class, () -> s.sample(new Itc.Similarities(sim, sim)));
                assertTrue(e.getMessage().contains("batch of 1") && e.getMessage().contains("itmWeight"), e.getMessage());
            }
        }
    }

    @Test
    void theConfigChoosesTheSamplerAndOldConfigsMeanHard() {
        ExperimentConfig base = ExperimentConfig.tiny();
        assertEquals(ItmNegatives.HARD, base.objective().itmNegatives());
        ExperimentConfig old = ExperimentConfig.parse("objective: {itmWeight: 1}", base, "old.yaml");
        assertEquals(ItmNegatives.HARD, old.objective().itmNegatives());
        ExperimentConfig random = ExperimentConfig.parse("objective: {itmNegatives: RANDOM}", base, "random.yaml");
        assertEquals(ItmNegatives.RANDOM, random.objective().itmNegatives());
        ObjectiveConfig nullNegatives = new ObjectiveConfig(1, 1, 1, 0, 0, false, base.objective().itcMask(), null, null,
                false, null, false);
        assertEquals(ItmNegatives.HARD, nullNegatives.itmNegatives());
        assertEquals(false, old.objective().itmExcludeFalseNegatives(), "BLIP-2 takes every other pair as a negative");
        assertEquals(true, ExperimentConfig.parse("objective: {itmExcludeFalseNegatives: true}", base, "x.yaml")
                .objective().itmExcludeFalseNegatives());
    }
}
