package org.qformerlab.blip2.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.data.ShapesWorldConfig;
import org.qformerlab.blip2.data.WordTokenizer;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.testing.PretrainingRuns;
import org.qformerlab.blip2.train.RunFolder;
import org.qformerlab.blip2.vision.VisionConfig;
import org.qformerlab.blip2.vision.VisionTransformer;

/** The LM's text-only pretraining through the trainer, for both families, and the held-out text loss. */
class LanguagePretrainingTest {

    private static final ShapesDataset WORLD =
            ShapesWorld.generate(ShapesWorldConfig.defaults(5).withImageSize(32).withCounts(60, 20, 5, 5));

    private static PretrainingRuns.Pretraining few(LanguageFamily family, int steps) {
        LanguagePretrainConfig config = LanguagePretrainConfig.tiny().withFamily(family).withSteps(steps);
        List<List<String>> documents = LanguageModelCache.documents(config, WORLD);
        List<String> texts = new ArrayList<>();
        documents.forEach(texts::addAll);
        WordTokenizer tokenizer = WordTokenizer.fromTexts(texts);
        return (run, m) -> LanguagePretraining.run(config, tokenizer, documents, run, m, null).language();
    }

    @ParameterizedTest
    @EnumSource(LanguageFamily.class)
    void resumingHalfWayEndsAsOneRun(LanguageFamily family, @TempDir Path dir) {
        PretrainingRuns.resumingHalfWayEndsAsOneRun(dir, 6, "text", few(family, 6));
    }

    @ParameterizedTest
    @EnumSource(LanguageFamily.class)
    void aNanLossStopsTheRunNamingTheStep(LanguageFamily family, @TempDir Path dir) {
        PretrainingRuns.aNanLossStopsTheRunNamingTheStep(dir, "total", few(family, 6));
    }

    @Test
    void theProgressLinesCountStepsAndAResumeSaysWhereItContinues(@TempDir Path dir) {
        LanguagePretrainConfig config = LanguagePretrainConfig.tiny().withSteps(4);
        List<List<String>> documents = LanguageModelCache.documents(config, WORLD);
        List<String> texts = new ArrayList<>();
        documents.forEach(texts::addAll);
        WordTokenizer tokenizer = WordTokenizer.fromTexts(texts);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (NDManager m = NDManager.newBaseManager()) {
            LanguagePretraining.run(config, tokenizer, documents, RunFolder.at(dir), m, new PrintStream(out, true));
            assertTrue(out.toString().matches("(?s)language pretraining step 4/4 \\| next-token loss \\d+\\.\\d{4} \\| lr .*"),
                    out.toString());
            out.reset();
            LanguagePretraining.Result again =
                    LanguagePretraining.run(config, tokenizer, documents, RunFolder.at(dir).withResume(true), m,
                            new PrintStream(out, true));
            assertEquals("resuming from " + dir.resolve("checkpoints/step-000004") + " (step 4)\n", out.toString(),
                    "a finished run resumes at its end: no step is trained again");
            assertEquals(4, again.losses().length, "the losses of a resumed run come from its log");
        }
    }

    /**
     * The held-out loss is the mean over every predicted token of all texts: an OPT predicts the
     * tokens after the first {@code </s>} of {@code </s> words </s>}; a T5's encoder reads that
     * {@code </s>} and its decoder predicts the rest (the prefix loss with k = 0).
     */
    @Test
    void theHeldOutLossWeighsEveryPredictedTokenAlikeForBothFamilies() {
        List<String> texts = List.of("a red circle", "two small blue squares left of a cross");
        WordTokenizer tokenizer = WordTokenizer.fromTexts(texts);
        LanguagePretrainConfig config = LanguagePretrainConfig.tiny();
        try (NDManager m = NDManager.newBaseManager()) {
            Seeds.set(1);
            OptModel opt = OptModel.create(config.opt(tokenizer.vocabSize(), WordTokenizer.PAD_ID, WordTokenizer.EOS_ID), m);
            T5Model t5 = T5Model.create(config.t5(tokenizer.vocabSize(), WordTokenizer.PAD_ID, WordTokenizer.EOS_ID), m);
            double optSum = 0;
            double t5Sum = 0;
            int tokens = 0;
            for (String text : texts) {
                int[] doc = LanguagePretraining.document(tokenizer, text);
                long[] all = new long[doc.length];
                for (int i = 0; i < doc.length; i++) {
                    all[i] = doc[i];
                }
                long[] afterFirst = java.util.Arrays.copyOfRange(all, 1, all.length);
                optSum += LanguagePretraining.nextTokenLoss(opt, m.create(all, new Shape(1, all.length))).getFloat()
                        * (doc.length - 1);
                t5Sum += LanguagePretraining.prefixLoss(t5, m.create(afterFirst, new Shape(1, afterFirst.length)), 0)
                        .getFloat() * (doc.length - 1);
                tokens += doc.length - 1;
            }
            assertEquals(3 + 1 + 8 + 1, tokens); // words and the closing </s> of each text
            assertEquals(optSum / tokens, LanguagePretraining.textLoss(opt, tokenizer, texts, m), 1e-9);
            assertEquals(t5Sum / tokens, LanguagePretraining.textLoss(t5, tokenizer, texts, m), 1e-9);
            VisionTransformer notAnLm = VisionTransformer.create(VisionConfig.tiny(), m);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LanguagePretraining.textLoss(notAnLm, tokenizer, texts, m));
            assertEquals("textLoss reads an OptModel or a T5Model, not a VisionTransformer", e.getMessage());
        }
    }
}
