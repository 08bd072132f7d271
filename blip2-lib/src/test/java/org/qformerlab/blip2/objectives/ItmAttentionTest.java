package org.qformerlab.blip2.objectives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.nn.GradMode;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.qformer.Blip2QFormer;

class ItmAttentionTest {

    /**
     * Two queries and two text tokens, one head. Query 0 gives 0.1, 0.2 to the queries and 0.3,
     * 0.4 to the text; query 1 attends uniformly. Text share: mean(0.7, 0.5) = 0.6; largest
     * weight: mean(0.4, 0.25) = 0.325. The text rows are not read.
     */
    @Test
    void summariesOfHandWrittenWeights() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new float[] {
                0.1f, 0.2f, 0.3f, 0.4f,
                0.25f, 0.25f, 0.25f, 0.25f,
                1f, 0f, 0f, 0f,
                1f, 0f, 0f, 0f}, new Shape(1, 1, 4, 4));
            double[] s = ItmAttention.summarise(w, 2);
            assertEquals(0.6, s[0], 1e-6);
            assertEquals(0.325, s[1], 1e-6);
        }
    }

    private static final int B = 4;
    private static final int T = 6;

    private static ItmAttention measure(Blip2QFormer model, NDManager m) {
        QFormerConfig c = model.config();
        NDArray image = m.randomNormal(new Shape(B, 6, c.visionWidth()));
        NDArray ids = m.randomInteger(5, c.vocabSize(), new Shape(B, T), DataType.INT64);
        NDArray mask = m.ones(new Shape(B, T), DataType.INT64);
        return ItmAttention.measure(model, m, image, ids, mask);
    }

    /**
     * At initialisation (BERT's normal(0, 0.02)) every score q.k is near 0, so attention is uniform
     * and the matcher cannot tell true pairs from mismatched ones: what the stage-1 notes describe.
     */
    @Test
    void aFreshQFormerAttendsUniformlyAndCannotMatch() {
        Seeds.set(5);
        try (NDManager m = NDManager.newBaseManager()) {
            Blip2QFormer model = Blip2QFormer.create(QFormerConfig.tiny(), m);
            ItmAttention a = measure(model, m);
            int q = model.config().numQueries();
            assertEquals((double) T / (q + T), a.uniformTextShare(), 1e-6);
            assertEquals(1.0 / (q + T), a.uniformLargestWeight(), 1e-6);
            for (int l = 0; l < a.textShare().length; l++) {
                assertEquals(a.uniformTextShare(), a.textShare()[l], 0.01, "layer " + l + " text share");
                assertEquals(a.uniformLargestWeight(), a.largestWeight()[l], 0.01, "layer " + l + " largest weight");
            }
            assertTrue(a.uniform());
            assertEquals(0, a.matchGap(), 0.01, "an untrained matcher scores true and mismatched pairs alike");
        }
    }

    /** Large query/key weights make the attention peaked, and the measure says so. */
    @Test
    void peakedAttentionIsNotUniform() {
        Seeds.set(5);
        try (NDManager m = NDManager.newBaseManager()) {
            Blip2QFormer model = Blip2QFormer.create(QFormerConfig.tiny(), m);
            try (GradMode ignored = GradMode.off()) {
                model.namedParameters().forEach((name, p) -> {
                    if (name.contains(".attention.self.query.weight") || name.contains(".attention.self.key.weight")) {
                        p.getArray().muli(40);
                    }
                });
            }
            ItmAttention a = measure(model, m);
            assertFalse(a.uniform(), "largest weights " + java.util.Arrays.toString(a.largestWeight()));
            assertTrue(a.meanLargestWeight() > 2 * a.uniformLargestWeight());
        }
    }

    @Test
    void onePairIsRejectedWithTheReason() {
        try (NDManager m = NDManager.newBaseManager()) {
            QFormerConfig c = QFormerConfig.tiny();
            Blip2QFormer model = Blip2QFormer.create(c, m);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ItmAttention.measure(model, m,
                    m.zeros(new Shape(1, 6, c.visionWidth())), m.ones(new Shape(1, T), DataType.INT64),
                    m.ones(new Shape(1, T), DataType.INT64)));
            assertTrue(e.getMessage().contains("at least 2 pairs"), e.getMessage());
        }
    }
}
