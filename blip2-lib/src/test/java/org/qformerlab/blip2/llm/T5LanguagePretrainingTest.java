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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.bridge.T5LanguageModel;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.data.ShapesWorldConfig;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.data.WordTokenizer;
import org.qformerlab.blip2.nn.GradMode;
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

    /**
     * The copy task that a T5 pretrained by the recipe must pass: documents of four words in a fixed
     * order ({@code x, next(x), next(next(x)), ...}), so behind {@code </s> ... </s> x next(x) </s>}
     * the decoder must write {@code next(next(x))}, a word the encoder does not hold, computed from
     * the last word it holds: copying any word of the encoder is wrong. Its cross-attention has no
     * positions, so it finds the last word only through what the encoder's relative-position biases
     * wrote into each token ({@link LanguagePretraining#POSITION_BIAS_RATE_SCALE}). This recipe: 126
     * of 126; the same with the biases at the plain rate: 115.
     */
    @Test
    void aPretrainedT5ContinuesFromTheLastWordItsEncoderHolds() {
        int n = 20;
        List<String> words = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            words.add("w" + (char) ('a' + i));
        }
        WordTokenizer tokenizer = WordTokenizer.fromTexts(words);
        SplittableRandom rng = new SplittableRandom(1);
        List<List<String>> documents = new ArrayList<>();
        for (int d = 0; d < 4000; d++) {
            documents.add(List.of(String.join(" ", ordered(words, rng.nextInt(n), 4))));
        }
        // a 1+1-block T5 of width 64 by the recipe: 1500 steps of 32 windows of 32 tokens
        LanguagePretrainConfig recipe = TINY_T5.toBuilder().hiddenSize(64).ffnDim(128).numLayers(1).numHeads(4)
                .maxPositions(32).steps(1500).batchSize(32).learningRate(3e-3).warmupSteps(20).weightDecay(0.01)
                .seed(1).build();
        try (NDManager m = NDManager.newBaseManager()) {
            T5Model t5 = (T5Model) LanguagePretraining.run(recipe, tokenizer, documents, m, null).language();
            int right = 0;
            int asked = 0;
            try (GradMode ignored = GradMode.off()) {
                for (int a = 0; a < n; a++) {
                    for (int b = 0; b < n; b++) {
                        if (a == b || (a + b) % 3 != 0) {
                            continue; // 126 of the 380 ordered pairs
                        }
                        // </s> (a whole document from a) </s> (1, 2 or 3 words of a document from b) </s>
                        int said = 1 + (a * 7 + b) % 3;
                        List<String> text = new ArrayList<>(List.of(WordTokenizer.EOS));
                        text.addAll(ordered(words, a, 4));
                        text.add(WordTokenizer.EOS);
                        List<String> tail = ordered(words, b, said + 1); // the last one is the expected word
                        text.addAll(tail.subList(0, said));
                        text.add(WordTokenizer.EOS);
                        long[] ids = text.stream().mapToLong(tokenizer::id).toArray();
                        try (NDManager scope = m.newSubManager()) {
                            NDArray encoderIds = scope.create(ids, new Shape(1, ids.length));
                            NDArray encoded = t5.encode(t5.embedTokens(encoderIds), encoderIds.onesLike(), false);
                            CausalLm decoder = t5.decoderFor(encoded, encoderIds.onesLike());
                            NDArray start = scope.full(new Shape(1, 1), t5.config().decoderStartTokenId(), DataType.INT64);
                            NDArray logits = decoder.forward(decoder.embedTokens(start), start.onesLike(), null, false).logits();
                            asked++;
                            right += logits.argMax(-1).toLongArray()[0] == tokenizer.id(tail.get(said)) ? 1 : 0;
                        }
                    }
                }
            }
            assertTrue(asked >= 100, "prompts asked: " + asked);
            assertTrue(right >= 0.9 * asked, "the decoder continues the encoder's text with the right word " + right
                    + " times in " + asked + "; it must find where that text ends (LanguagePretraining"
                    + ".POSITION_BIAS_RATE_SCALE, T5_DECODER_TOKENS)");
        }
    }

    /** {@code count} words in the fixed order, from word {@code x}: x, next(x), next(next(x)), ... */
    private static List<String> ordered(List<String> words, int x, int count) {
        List<String> out = new ArrayList<>();
        for (int i = 0, w = x; i < count; i++, w = next(w)) {
            out.add(words.get(w));
        }
        return out;
    }

    /** The word after word {@code x} in every ordered document: a fixed shuffle of the 20 words. */
    private static int next(int x) {
        return (x * 7 + 3) % 20;
    }
}
