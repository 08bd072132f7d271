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

    /** An ITM-style joint pass: the queries and the text attend to each other. */
    private static NDArray pass(Blip2QFormer model, NDManager m, NDArray image, NDArray ids, NDArray mask) {
        QFormerConfig c = model.config();
        NDArray bias = AttentionMask.bidirectional(c.numQueries(), T).bias(m, mask);
        ImageContext ctx = model.encoder().encodeImage(model.normalizeImage(image));
        return model.encoder().forward(model.queries(m, B), ids, bias, ctx, null, false).hidden();
    }

    /** A tiny Q-Former and one batch for it; the second text is padded after 3 tokens. */
    private record Tiny(Blip2QFormer model, NDArray image, NDArray ids, NDArray mask) {

        static Tiny create(NDManager m) {
            Seeds.set(3);
            QFormerConfig c = QFormerConfig.tiny();
            return new Tiny(Blip2QFormer.create(c, m), m.randomNormal(new Shape(B, 6, c.visionWidth())),
                    m.randomInteger(5, c.vocabSize(), new Shape(B, T), DataType.INT64),
                    m.create(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, new Shape(B, T)));
        }

        NDArray pass(NDManager m) {
            return SelfAttentionRecorderTest.pass(model, m, image, ids, mask);
        }
    }

    @Test
    void recordsEveryLayersWeightsWithoutChangingTheOutput() {
        try (NDManager m = NDManager.newBaseManager()) {
            Tiny tiny = Tiny.create(m);
            QFormerConfig c = tiny.model().config();
            float[] plain = tiny.pass(m).toFloatArray();

            try (SelfAttentionRecorder recorder = SelfAttentionRecorder.attach(tiny.model().encoder())) {
                float[] watched = tiny.pass(m).toFloatArray();
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
        try (NDManager m = NDManager.newBaseManager()) {
            Tiny tiny = Tiny.create(m);
            SelfAttentionRecorder recorder = SelfAttentionRecorder.attach(tiny.model().encoder());
            IllegalStateException early = assertThrows(IllegalStateException.class, () -> recorder.weights(0));
            assertTrue(early.getMessage().contains("run a pass first"), early.getMessage());
            tiny.pass(m);
            NDArray kept = recorder.weights(0);
            recorder.close();
            tiny.pass(m);
            assertSame(kept, recorder.weights(0), "a closed recorder must not see later passes");
        }
    }
}
