package org.qformerlab.blip2.qformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.nn.Seeds;

class SelfAttentionRecorderTest {

    private static final int B = 2;
    private static final int T = 5;

    /** An ITM-style joint pass: the queries and the text, the second text padded after 3 tokens. */
    private static NDArray pass(Blip2QFormer model, NDManager m, NDArray image, NDArray ids, NDArray mask) {
        QFormerConfig c = model.config();
        NDArray bias = AttentionMask.bidirectional(c.numQueries(), T).bias(m, mask);
        ImageContext ctx = model.encoder().encodeImage(model.normalizeImage(image));
        return model.encoder().forward(model.queries(m, B), ids, bias, ctx, null, false).hidden();
    }

    @Test
    void recordsEveryLayersWeightsWithoutChangingTheOutput() {
        Seeds.set(3);
        try (NDManager m = NDManager.newBaseManager()) {
            QFormerConfig c = QFormerConfig.tiny();
            Blip2QFormer model = Blip2QFormer.create(c, m);
            NDArray image = m.randomNormal(new Shape(B, 6, c.visionWidth()));
            NDArray ids = m.randomInteger(5, c.vocabSize(), new Shape(B, T), DataType.INT64);
            NDArray mask = m.create(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, new Shape(B, T));
            float[] plain = pass(model, m, image, ids, mask).toFloatArray();

            try (SelfAttentionRecorder recorder = SelfAttentionRecorder.attach(model.encoder())) {
                float[] watched = pass(model, m, image, ids, mask).toFloatArray();
                assertArrayEquals(plain, watched, "recording must not change the pass");
                assertEquals(c.numLayers(), recorder.layers());
                int s = c.numQueries() + T;
                for (int l = 0; l < recorder.layers(); l++) {
                    NDArray w = recorder.weights(l);
                    assertEquals(new Shape(B, c.numHeads(), s, s), w.getShape(), "layer " + l);
                    float[] rowSums = w.sum(new int[] {-1}).toFloatArray();
                    for (float r : rowSums) {
                        assertEquals(1f, r, 1e-5f, "layer " + l + ": every row of weights sums to 1");
                    }
                    // the second text's padding (its last two positions) gets no weight from anyone
                    float padded = w.get(new NDIndex("1, :, :, {}:", s - 2)).sum().getFloat();
                    assertEquals(0f, padded, 1e-6f, "layer " + l + ": padding must get no weight");
                }
            }
        }
    }

    @Test
    void closingStopsTheRecording() {
        Seeds.set(3);
        try (NDManager m = NDManager.newBaseManager()) {
            QFormerConfig c = QFormerConfig.tiny();
            Blip2QFormer model = Blip2QFormer.create(c, m);
            NDArray image = m.randomNormal(new Shape(B, 6, c.visionWidth()));
            NDArray ids = m.randomInteger(5, c.vocabSize(), new Shape(B, T), DataType.INT64);
            NDArray mask = m.ones(new Shape(B, T), DataType.INT64);
            SelfAttentionRecorder recorder = SelfAttentionRecorder.attach(model.encoder());
            IllegalStateException early = assertThrows(IllegalStateException.class, () -> recorder.weights(0));
            assertTrue(early.getMessage().contains("run a pass first"), early.getMessage());
            pass(model, m, image, ids, mask);
            NDArray kept = recorder.weights(0);
            recorder.close();
            pass(model, m, image, ids, mask);
            assertSame(kept, recorder.weights(0), "a closed recorder must not see later passes");
        }
    }
}
