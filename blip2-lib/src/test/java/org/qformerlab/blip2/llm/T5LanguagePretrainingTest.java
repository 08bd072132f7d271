package org.qformerlab.blip2.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.bridge.T5LanguageModel;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.data.ShapesWorldConfig;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.nn.Seeds;

/** The T5 family's text-only pretraining (a prefix LM) and its cache entry. */
class T5LanguagePretrainingTest {

    private static final LanguagePretrainConfig TINY_T5 = LanguagePretrainConfig.tiny().withFamily(LanguageFamily.T5);

    private static ShapesDataset world() {
        return ShapesWorld.generate(ShapesWorldConfig.defaults(5).withImageSize(32).withCounts(60, 20, 5, 5));
    }

    @Test
    void thePrefixLossIsStageTwosT5LossWithAnEmptySoftPrompt() {
        // prefixLoss(ids, k): encoder [ids[:k] ; </s>], decoder predicts ids[k:]. Stage 2's T5 loss on
        // [x ; ids] with promptLength k + 1 drops x, reads ids[:k] + </s> and predicts the same tokens
        try (NDManager m = NDManager.newBaseManager()) {
            Seeds.set(3);
            T5Model t5 = T5Model.create(TINY_T5.t5(30, 0, 4), m);
            long[] row = {4, 7, 9, 12, 4, 8, 20, 21, 4, 5};
            NDArray ids = m.create(new long[][] {row, {4, 6, 6, 13, 4, 9, 22, 11, 4, 5}});
            NDArray withMarker = m.full(new Shape(2, 1), 4, DataType.INT64).concat(ids, 1);
            for (int k : new int[] {0, 3, 7}) {
                float prefix = LanguagePretraining.prefixLoss(t5, ids, k).getFloat();
                float stage2 = new T5LanguageModel(t5).languageModelling(m, m.zeros(new Shape(2, 0, 32)), withMarker,
                        withMarker.onesLike(), k + 1, false).loss().getFloat();
                assertEquals(stage2, prefix, 1e-5, "k = " + k);
            }
            assertThrows(IllegalArgumentException.class, () -> LanguagePretraining.prefixLoss(t5, ids, 10));
        }
    }

    @Test
    void aT5IsPretrainedOnTheSameTextCachedApartFromTheOptAndLearnsHeldOutCaptions(@TempDir Path cache) {
        ShapesDataset data = world();
        // an OPT's key names no family, so entries made before the field (the shipped LM) still match
        String optKey = Configs.toJson(LanguageModelCache.key(LanguagePretrainConfig.tiny(), data.config()));
        assertFalse(optKey.contains("family"), optKey);
        assertTrue(optKey.contains(LanguageModelCache.FORMAT), optKey);
        assertTrue(Configs.toJson(LanguageModelCache.key(TINY_T5, data.config())).contains(LanguageModelCache.FORMAT_T5));
        assertNotEquals(LanguageModelCache.folder(cache, LanguagePretrainConfig.tiny(), data.config()),
                LanguageModelCache.folder(cache, TINY_T5, data.config()));
        try (NDManager m = NDManager.newBaseManager()) {
            LanguageModelCache.Entry made = LanguageModelCache.pretrainOrLoad(TINY_T5, data, cache, m, null);
            assertTrue(made.trainedNow());
            assertEquals(LanguageFamily.T5, made.family());
            assertThrows(IllegalStateException.class, made::model);
            LanguageModelCache.Entry loaded = LanguageModelCache.pretrainOrLoad(TINY_T5, data, cache, m, null);
            assertFalse(loaded.trainedNow());
            Map<String, NDArray> a = Weights.tensors(made.t5(), T5Model.HUGGING_FACE_NAMES);
            Map<String, NDArray> b = Weights.tensors(loaded.t5(), T5Model.HUGGING_FACE_NAMES);
            assertEquals(a.keySet(), b.keySet());
            a.forEach((name, t) -> assertArrayEquals(t.toFloatArray(), b.get(name).toFloatArray(), name));
            loaded.t5().namedParameters().forEach((name, p) -> assertFalse(p.requiresGradient(), name));

            // held-out captions, as stage 2 has the T5 write them (encoder: </s>; decoder: words </s>)
            List<String> heldOut = data.split(Split.VAL).stream().map(s -> s.captions().get(0)).toList();
            double uniform = Math.log(made.tokenizer().vocabSize());
            double before;
            try (NDManager fresh = m.newSubManager()) {
                T5Model untrained = T5Model.create(made.t5().config(), fresh);
                before = LanguagePretraining.textLoss(untrained, made.tokenizer(), heldOut, fresh);
            }
            double after = LanguagePretraining.textLoss(loaded.t5(), made.tokenizer(), heldOut, m);
            assertEquals(uniform, before, 0.1 * uniform, "an untrained T5 is near uniform");
            assertTrue(after < 0.7 * uniform, "held-out caption loss " + after + " vs uniform " + uniform);
        }
    }
}
