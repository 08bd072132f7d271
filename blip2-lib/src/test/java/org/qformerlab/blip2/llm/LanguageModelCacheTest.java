package org.qformerlab.blip2.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.data.ShapesWorldConfig;
import org.qformerlab.blip2.data.Split;

class LanguageModelCacheTest {

    private static ShapesDataset world() {
        return ShapesWorld.generate(ShapesWorldConfig.defaults(5).withImageSize(32).withCounts(60, 20, 5, 5));
    }

    @Test
    void theLanguageModelIsPretrainedOnceThenLoadedWithIdenticalWeights(@TempDir Path cache) {
        ShapesDataset data = world();
        LanguagePretrainConfig few = LanguagePretrainConfig.tiny().withSteps(3);
        try (NDManager m = NDManager.newBaseManager()) {
            LanguageModelCache.Entry first = LanguageModelCache.pretrainOrLoad(few, data, cache, m, null);
            assertTrue(first.trainedNow());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            LanguageModelCache.Entry second =
                    LanguageModelCache.pretrainOrLoad(few, data, cache, m, new PrintStream(bytes, true));
            assertFalse(second.trainedNow());
            assertTrue(bytes.toString().contains("loaded the pretrained language model"), bytes.toString());
            assertEquals(first.tokenizer().vocabulary(), second.tokenizer().vocabulary());
            Map<String, NDArray> a = Weights.tensors(first.model(), OptModel.HUGGING_FACE_NAMES);
            Map<String, NDArray> b = Weights.tensors(second.model(), OptModel.HUGGING_FACE_NAMES);
            assertEquals(a.keySet(), b.keySet());
            a.forEach((name, t) -> assertArrayEquals(t.toByteArray(), b.get(name).toByteArray(), name));
            second.model().namedParameters().forEach((name, p) -> assertFalse(p.requiresGradient(), name));

            // another recipe is another entry
            LanguageModelCache.Entry other =
                    LanguageModelCache.pretrainOrLoad(few.withSteps(2), data, cache, m, null);
            assertTrue(other.trainedNow());
            assertFalse(other.folder().equals(first.folder()));
        }
    }

    @Test
    void aBrokenEntryIsRebuilt(@TempDir Path cache) throws IOException {
        ShapesDataset data = world();
        LanguagePretrainConfig few = LanguagePretrainConfig.tiny().withSteps(2);
        try (NDManager m = NDManager.newBaseManager()) {
            Path folder = LanguageModelCache.pretrainOrLoad(few, data, cache, m, null).folder();
            Files.writeString(folder.resolve("model.safetensors"), "truncated");
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            LanguageModelCache.Entry again =
                    LanguageModelCache.pretrainOrLoad(few, data, cache, m, new PrintStream(bytes, true));
            assertTrue(again.trainedNow());
            assertTrue(bytes.toString().contains("cannot be used"), bytes.toString());
        }
    }

    @Test
    void pretrainingOnTrainingTextAloneLearnsHeldOutCaptions(@TempDir Path cache) {
        ShapesDataset data = world();
        try (NDManager m = NDManager.newBaseManager()) {
            LanguageModelCache.Entry entry =
                    LanguageModelCache.pretrainOrLoad(LanguagePretrainConfig.tiny(), data, cache, m, null);
            List<String> heldOut = data.split(Split.VAL).stream().map(s -> s.captions().get(0)).toList();
            double uniform = Math.log(entry.tokenizer().vocabSize());
            double before;
            try (NDManager fresh = m.newSubManager()) {
                OptModel untrained = OptModel.create(entry.model().config(), fresh);
                before = LanguagePretraining.textLoss(untrained, entry.tokenizer(), heldOut, fresh);
            }
            double after = LanguagePretraining.textLoss(entry.model(), entry.tokenizer(), heldOut, m);
            assertEquals(uniform, before, 0.1 * uniform, "an untrained LM is near uniform");
            assertTrue(after < 0.6 * uniform, "held-out caption loss " + after + " vs uniform " + uniform);
        }
    }

    @Test
    void theTextHoldsCaptionsAndPromptedAnswers() {
        Sample s = world().split(Split.TRAIN).get(0);
        List<String> texts = LanguageModelCache.texts(List.of(s));
        assertEquals(s.captions().size() + s.qas().size(), texts.size());
        assertEquals("Question: " + s.qas().get(0).question() + " Answer: " + s.qas().get(0).answer(),
                texts.get(s.captions().size()));
    }
}
