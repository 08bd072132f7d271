package org.qformerlab.kernel.display;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.nn.Devices;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import tech.tablesaw.api.Table;

/** Parameter counts per part, against counts worked out by hand from the tiny config. */
class ParameterSummaryTest {

    private static long dense(long in, long out) {
        return in * out + out;
    }

    @Test
    void countsEachPartOfTheTinyQFormer() {
        QFormerConfig c = QFormerConfig.tiny(); // H=32, L=2, I=64, Q=4, K=2, Dv=24, V=50, T=16, E=16
        long h = c.hiddenSize();
        long ln = 2 * h;
        try (NDManager m = NDManager.newBaseManager(Devices.resolve("auto"))) {
            ParameterSummary s = ParameterSummary.of(Blip2QFormer.create(c, m));

            assertEquals(c.numQueries() * h, s.part("query tokens").parameters());
            assertEquals(c.vocabSize() * h + c.maxTextLength() * h + ln, s.part("embeddings").parameters());
            long selfAttention = 3 * dense(h, h) + dense(h, h) + ln;
            assertEquals(c.numLayers() * selfAttention, s.part("self-attention").parameters());
            long crossAttention = dense(h, h) + 2 * dense(c.visionWidth(), h) + dense(h, h) + ln;
            assertEquals(1 * crossAttention, s.part("cross-attention").parameters(), "only layer 0 of 2 cross-attends");
            long ffn = dense(h, c.intermediateSize()) + dense(c.intermediateSize(), h) + ln;
            assertEquals(c.numLayers() * ffn, s.part("FFN (queries)").parameters());
            assertEquals(c.numLayers() * ffn, s.part("FFN (text)").parameters());
            assertEquals(2L * c.visionWidth(), s.part("ln_vision").parameters());
            assertEquals(2 * dense(h, c.embedDim()) + 1, s.part("ITC projections + temperature").parameters());
            assertEquals(dense(h, 2), s.part("ITM head").parameters());
            assertEquals(dense(h, h) + ln + c.vocabSize(), s.part("ITG head (LM)").parameters(),
                    "transform + bias; the decoder weight is the word embeddings, counted once");
            assertEquals(0, s.part("other").parameters());
            assertEquals(s.total(), s.trainable(), "stage 1 trains the whole Q-Former");

            Table t = s.table();
            assertEquals("total", t.stringColumn("part").get(t.rowCount() - 1));
            assertEquals((double) s.total(), t.numberColumn("parameters").getDouble(t.rowCount() - 1));
        }
    }

    @Test
    void partNamesFollowLavis() {
        assertEquals("cross-attention", ParameterSummary.partOf("Qformer.bert.encoder.layer.10.crossattention.self.key.weight"));
        assertEquals("FFN (queries)", ParameterSummary.partOf("Qformer.bert.encoder.layer.3.output_query.dense.bias"));
        assertEquals("FFN (text)", ParameterSummary.partOf("Qformer.bert.encoder.layer.3.intermediate.dense.weight"));
        assertEquals("self-attention", ParameterSummary.partOf("Qformer.bert.encoder.layer.0.attention.output.LayerNorm.weight"));
    }
}
