package org.qformerlab.blip2.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.nn.GradMode;
import org.qformerlab.blip2.nn.RmsNorm;
import org.qformerlab.blip2.nn.Seeds;

/** FlanT5 on small random weights: names, shapes, masks, buckets, and generation with and without cache. */
class T5ModelTest {

    private static final T5Config C = T5Config.tiny();

    private static T5Model randomT5(NDManager m) {
        Seeds.set(3);
        T5Model t5 = T5Model.create(C, m);
        try (GradMode ignored = GradMode.off()) {
            t5.namedParameters().forEach((name, p) -> {
                if (p.getShape().dimension() == 2) {
                    p.getArray().muli(10f); // normal(0, 0.2): distinct logits
                }
            });
        }
        return t5;
    }

    @Test
    void huggingFaceNamesAndFrozen() {
        try (NDManager m = NDManager.newBaseManager()) {
            var params = T5Model.create(C, m).namedParameters();
            for (String n : new String[] {"shared.weight", "lm_head.weight",
                    "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
                    "encoder.block.1.layer.1.DenseReluDense.wi_0.weight", "encoder.block.1.layer.1.layer_norm.weight",
                    "decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
                    "decoder.block.1.layer.1.EncDecAttention.o.weight", "decoder.block.1.layer.2.DenseReluDense.wo.weight",
                    "encoder.final_layer_norm.weight", "decoder.final_layer_norm.weight"}) {
                assertTrue(params.containsKey(n), n + " missing from " + params.keySet());
            }
            assertFalse(params.containsKey("encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight"));
            assertFalse(params.keySet().stream().anyMatch(n -> n.endsWith(".bias")), "T5 has no biases");
            params.forEach((n, p) -> assertFalse(p.requiresGradient(), n + " must be frozen"));
            assertEquals(new Shape(C.numHeads() * C.dKv(), C.dModel()),
                    params.get("encoder.block.0.layer.0.SelfAttention.q.weight").getShape());
        }
    }

    @Test
    void relativePositionBucketsByHand() {
        // bidirectional, 32 buckets (16 per direction, 8 exact), max distance 128:
        // 0 -> 0, key 1 before -> 1, key 1 after -> 16 + 1; distance 8 -> 8 + floor(log(1) ...) = 8;
        // 20 before -> 8 + floor(log(20/8) / log(128/8) * 8) = 8 + floor(2.64) = 10; 200 before -> min(8 + 9, 15) = 15
        assertEquals(0, T5Attention.bucket(0, true, 32, 128));
        assertEquals(1, T5Attention.bucket(-1, true, 32, 128));
        assertEquals(17, T5Attention.bucket(1, true, 32, 128));
        assertEquals(8, T5Attention.bucket(-8, true, 32, 128));
        assertEquals(10, T5Attention.bucket(-20, true, 32, 128));
        assertEquals(15, T5Attention.bucket(-200, true, 32, 128));
        // the decoder only looks back (32 buckets, 16 exact): a key after the query is bucket 0;
        // 20 before -> 16 + floor(log(20/16) / log(128/16) * 16) = 16 + floor(1.72) = 17
        assertEquals(0, T5Attention.bucket(3, false, 32, 128));
        assertEquals(3, T5Attention.bucket(-3, false, 32, 128));
        assertEquals(17, T5Attention.bucket(-20, false, 32, 128));
    }

    @Test
    void rmsNormAndGatedGeluByHand() {
        try (NDManager m = NDManager.newBaseManager()) {
            RmsNorm norm = new RmsNorm(2, 0);
            norm.initialize(m, DataType.FLOAT32);
            // [3, 4]: rms = sqrt((9 + 16) / 2) = 3.5355; no mean is subtracted
            assertArrayEquals(new float[] {0.848528f, 1.131371f},
                    norm.forward(m.create(new float[] {3, 4})).toFloatArray(), 1e-5f);
            // gelu_tanh(1) = 0.5 * (1 + tanh(sqrt(2/pi) * (1 + 0.044715))) = 0.841192
            assertEquals(0.841192f, T5FeedForward.geluTanh(m.create(new float[] {1f})).getFloat(0), 1e-5f);
        }
    }

    @Test
    void shapesCausalityAndEncoderPadding() {
        try (NDManager m = NDManager.newBaseManager(); GradMode ignored = GradMode.off()) {
            T5Model t5 = randomT5(m);
            NDArray enc = m.randomNormal(new Shape(2, 5, C.dModel()));
            NDArray encMask = m.create(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, new Shape(2, 5));
            NDArray hidden = t5.encode(enc, encMask, false);
            assertEquals(new Shape(2, 5, C.dModel()), hidden.getShape());
            CausalLm dec = t5.decoderFor(hidden, encMask);
            NDArray ids = m.create(new long[] {0, 7, 9, 0, 4, 5}, new Shape(2, 3));
            NDArray logits = dec.forward(dec.embedTokens(ids), m.ones(new Shape(2, 3), DataType.INT64), null, false).logits();
            assertEquals(new Shape(2, 3, C.vocabSize()), logits.getShape());
            // causal: the first two positions do not see the third token
            NDArray two = dec.forward(dec.embedTokens(ids.get(new NDIndex(":, :2"))),
                    m.ones(new Shape(2, 2), DataType.INT64), null, false).logits();
            // float32 rounding relative to the logits' scale (T5's initialisation makes them of order 10)
            float tol = 1e-6f * Math.max(1f, logits.abs().max().getFloat());
            assertTrue(two.sub(logits.get(new NDIndex(":, :2"))).abs().max().getFloat() < 10 * tol);
            // the encoder's padded positions are invisible to the unpadded positions and the decoder
            NDArray changed = enc.duplicate();
            changed.set(new NDIndex("1, 3:"), 100f);
            NDArray hidden2 = t5.encode(changed, encMask, false);
            assertTrue(hidden2.get(new NDIndex("1, :3")).sub(hidden.get(new NDIndex("1, :3"))).abs().max().getFloat() < 1e-5);
            CausalLm dec2 = t5.decoderFor(hidden2, encMask);
            NDArray logits2 = dec2.forward(dec2.embedTokens(ids), m.ones(new Shape(2, 3), DataType.INT64), null, false).logits();
            assertTrue(logits2.sub(logits).abs().max().getFloat() < 100 * tol);
        }
    }

    @Test
    void encoderDecoderGenerationWithCacheEqualsWithout() {
        try (NDManager m = NDManager.newBaseManager()) {
            T5Model t5 = randomT5(m);
            Seeds.set(5);
            NDArray enc = m.randomNormal(new Shape(2, 4, C.dModel()));
            NDArray encMask = m.create(new long[] {1, 1, 1, 1, 1, 1, 0, 0}, new Shape(2, 4));
            CausalLm dec = t5.decoderFor(t5.encode(enc, encMask, false), encMask);
            NDArray start = dec.embedTokens(m.full(new Shape(2, 1), C.decoderStartTokenId(), DataType.INT64));
            GenerationConfig greedy = GenerationConfig.greedy(6, -1, C.padTokenId()).withStepLogits(true);
            Generation cached = Generator.generate(dec, start, null, greedy);
            Generation full = Generator.generate(dec, start, null, greedy.withCache(false));
            assertEquals(6, cached.tokens()[0].length);
            assertArrayEquals(full.tokens(), cached.tokens());
            double maxDiff = 0;
            double maxRef = 0;
            for (int r = 0; r < 2; r++) {
                for (int s = 0; s < 6; s++) {
                    for (int v = 0; v < C.vocabSize(); v++) {
                        maxDiff = Math.max(maxDiff, Math.abs(full.stepLogits()[r][s][v] - cached.stepLogits()[r][s][v]));
                        maxRef = Math.max(maxRef, Math.abs(full.stepLogits()[r][s][v]));
                    }
                }
            }
            assertTrue(maxDiff / maxRef <= 1e-5, "relative logit difference " + maxDiff / maxRef);
            GenerationConfig beams = GenerationConfig.greedy(6, C.eosTokenId(), C.padTokenId()).withBeams(3, 1.0);
            assertArrayEquals(Generator.generate(dec, start, null, beams.withCache(false)).tokens(),
                    Generator.generate(dec, start, null, beams).tokens());
        }
    }
}
