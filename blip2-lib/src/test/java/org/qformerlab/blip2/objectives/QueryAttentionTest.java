package org.qformerlab.blip2.objectives;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.qformer.Blip2QFormer;

class QueryAttentionTest {

    private static final int B = 3;
    private static final int P = 16;
    private static final int T = 5;

    /** Three images of 16 patches; the second text has two padded positions. */
    private static QueryAttention measure(Blip2QFormer model, NDManager m) {
        QFormerConfig c = model.config();
        NDArray image = m.randomNormal(new Shape(B, P, c.visionWidth()));
        NDArray ids = m.randomInteger(5, c.vocabSize(), new Shape(B, T), DataType.INT64);
        NDArray mask = m.create(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1}, new Shape(B, T));
        return QueryAttention.measure(model, m, image, ids, mask);
    }

    @Test
    void crossAttentionIsADistributionOverThePatchesOfEachCrossAttendingLayer() {
        Seeds.set(3);
        try (NDManager m = NDManager.newBaseManager()) {
            // tiny: 2 layers, cross-attention every 2nd, so only layer 0 reads the image
            Blip2QFormer model = Blip2QFormer.create(QFormerConfig.tiny(), m);
            QueryAttention a = measure(model, m);
            int q = model.config().numQueries();
            assertArrayEquals(new int[] {0}, a.crossLayers());
            assertEquals(1, a.cross().length);
            assertEquals(B, a.cross()[0].length);
            assertEquals(q, a.cross()[0][0].length);
            assertEquals(P, a.cross()[0][0][0].length);
            for (float[][] image : a.cross()[0]) {
                for (float[] query : image) {
                    double sum = 0;
                    for (float w : query) {
                        assertTrue(w >= 0);
                        sum += w;
                    }
                    assertEquals(1.0, sum, 1e-5);
                }
            }
            // one cross-attending layer: its mean is itself
            assertArrayEquals(a.cross()[0][1][2], a.crossMean()[1][2], 1e-7f);
            // at initialisation the scores are near 0: every query looks nearly everywhere alike
            assertEquals(a.uniformEntropy(), a.crossEntropy()[0], 0.05);
            assertEquals(Math.log(P), a.uniformEntropy(), 1e-12);
        }
    }

    @Test
    void itmSelfAttentionCoversQueriesAndWordsAndNeverThePadding() {
        Seeds.set(4);
        try (NDManager m = NDManager.newBaseManager()) {
            Blip2QFormer model = Blip2QFormer.create(QFormerConfig.tiny(), m);
            QueryAttention a = measure(model, m);
            int q = model.config().numQueries();
            assertEquals(model.config().numLayers(), a.self().length);
            assertEquals(q + T, a.self()[0][0].length);
            assertArrayEquals(new int[] {5, 3, 5}, a.textLengths());
            for (float[][][] layer : a.self()) {
                for (float[] row : layer[1]) {
                    assertEquals(0f, row[q + 3], 0f, "a padded word must hold no weight");
                    assertEquals(0f, row[q + 4], 0f, "a padded word must hold no weight");
                }
            }
            float[][] trimmed = a.itmMean(1);
            assertEquals(q + 3, trimmed.length);
            for (float[] row : trimmed) {
                double sum = 0;
                for (float w : row) {
                    sum += w;
                }
                assertEquals(1.0, sum, 1e-5, "with the padding cut off, a row still sums to 1");
            }
        }
    }

    @Test
    void entropyOfHandWrittenDistributions() {
        assertEquals(Math.log(2), QueryAttention.entropy(new float[] {0.5f, 0.5f, 0f, 0f}), 1e-7);
        assertEquals(0.0, QueryAttention.entropy(new float[] {0f, 1f, 0f}), 0.0);
        float[][][][] cross = {{{{0.5f, 0.5f, 0f, 0f}, {0.25f, 0.25f, 0.25f, 0.25f}}}};
        QueryAttention a = new QueryAttention(new int[] {0}, cross, new float[0][][][], 2, new int[] {1});
        assertEquals((Math.log(2) + Math.log(4)) / 2, a.crossEntropy()[0], 1e-6);
    }

    @Test
    void oneTextPerImage() {
        try (NDManager m = NDManager.newBaseManager()) {
            Blip2QFormer model = Blip2QFormer.create(QFormerConfig.tiny(), m);
            NDArray image = m.randomNormal(new Shape(2, P, model.config().visionWidth()));
            NDArray ids = m.ones(new Shape(3, T), DataType.INT64);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> QueryAttention.measure(model, m, image, ids, ids));
            assertEquals("need one text per image; got 2 images and 3 texts", e.getMessage());
        }
    }
}
