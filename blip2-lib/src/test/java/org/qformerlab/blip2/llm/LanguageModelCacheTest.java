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
    void theShippedModelIsCopiedIntoTheCacheWhenItsKeyMatchesAndIgnoredOtherwise(@TempDir Path dir) {
        ShapesDataset data = world();
        LanguagePretrainConfig few = LanguagePretrainConfig.tiny().withSteps(3);
        Path shipped = dir.resolve("shipped");
        try (NDManager m = NDManager.newBaseManager()) {
            LanguageModelCache.Entry made = LanguageModelCache.pretrain(few, data, shipped, m, null);
            Path cache = dir.resolve("cache");
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            LanguageModelCache.Entry loaded = LanguageModelCache.pretrainOrLoad(few, data, cache,
                    LanguageModelCache.Shipped.folder(shipped), m, new PrintStream(bytes, true));
            assertFalse(loaded.trainedNow(), bytes.toString());
            assertTrue(bytes.toString().contains("copied the shipped"), bytes.toString());
            assertEquals(LanguageModelCache.folder(cache, few, data.config()), loaded.folder());
            for (String file : LanguageModelCache.FILES) {
                assertTrue(Files.isRegularFile(loaded.folder().resolve(file)), file);
            }
            Map<String, NDArray> a = Weights.tensors(made.model(), OptModel.HUGGING_FACE_NAMES);
            Map<String, NDArray> b = Weights.tensors(loaded.model(), OptModel.HUGGING_FACE_NAMES);
            a.forEach((name, t) -> assertArrayEquals(t.toByteArray(), b.get(name).toByteArray(), name));

            // a world that differs only in what the text does not depend on is served the same model
            ShapesDataset bigger = ShapesWorld.generate(data.config().withCounts(90, 20, 5, 5).withImageSize(48));
            assertFalse(LanguageModelCache.pretrainOrLoad(few, bigger, dir.resolve("cache2"),
                    LanguageModelCache.Shipped.folder(shipped), m, null).trainedNow());

            // another recipe: the shipped model does not fit, so one is pretrained
            bytes.reset();
            LanguageModelCache.Entry other = LanguageModelCache.pretrainOrLoad(few.withSteps(2), data, cache,
                    LanguageModelCache.Shipped.folder(shipped), m, new PrintStream(bytes, true));
            assertTrue(other.trainedNow());
            assertTrue(bytes.toString().contains("made for another recipe or world"), bytes.toString());
        }
    }

    @Test
    void theLanguageModelShippedWithTheLibraryFitsTheEmbeddedPreset() throws IOException {
        LanguageModelCache.Shipped shipped = LanguageModelCache.Shipped.classpath();
        for (String file : LanguageModelCache.FILES) {
            try (var in = shipped.open(file)) {
                assertTrue(in != null, file + " is not shipped: run ./qformerlab pretrain language");
            }
        }
        try (var in = shipped.open("config.json")) {
            com.fasterxml.jackson.databind.JsonNode stored = org.qformerlab.blip2.config.Configs.JSON.readTree(in);
            org.qformerlab.blip2.experiment.config.ExperimentConfig preset = org.qformerlab.blip2.experiment.config.ExperimentConfig.embedded();
            assertEquals(org.qformerlab.blip2.config.Configs.toJson(
                    LanguageModelCache.key(preset.stage2().language(), preset.data())),
                    org.qformerlab.blip2.config.Configs.toJson(stored.get("key")),
                    "the shipped LM was made for another recipe: run ./qformerlab pretrain language");
        }
    }
}
