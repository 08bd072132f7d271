package org.qformerlab.blip2.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
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
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.data.ShapesWorldConfig;

class VisionCachesTest {

    private static final VisionConfig VISION = VisionConfig.tiny();
    private static final VisionPretrainConfig FEW_STEPS = VisionPretrainConfig.tiny().withSteps(4);

    private static ShapesDataset world() {
        return ShapesWorld.generate(ShapesWorldConfig.defaults(11).withImageSize(32).withCounts(24, 5, 5, 5));
    }

    private static final class Log {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(bytes, true);

        String text() {
            return bytes.toString();
        }
    }

    @Test
    void theEncoderIsPretrainedOnceThenLoaded(@TempDir Path cache) {
        ShapesDataset data = world();
        try (NDManager m = NDManager.newBaseManager()) {
            EncoderCache.Entry first = EncoderCache.pretrainOrLoad(VISION, FEW_STEPS, data, cache, m, null);
            assertTrue(first.trainedNow());
            assertTrue(Files.exists(first.folder().resolve("model.safetensors")));
            Log log = new Log();
            EncoderCache.Entry second = EncoderCache.pretrainOrLoad(VISION, FEW_STEPS, data, cache, m, log.out);
            assertFalse(second.trainedNow());
            assertFalse(log.text().contains("pretraining step"), log.text());
            assertTrue(log.text().contains("loaded the pretrained image encoder"), log.text());
            assertTrue(second.encoder().isFrozen());
            assertEquals(EncoderIdentity.of(first.encoder()), EncoderIdentity.of(second.encoder()));
            Map<String, NDArray> a = Weights.tensors(first.encoder(), VisionTransformer.NAMES);
            Map<String, NDArray> b = Weights.tensors(second.encoder(), VisionTransformer.NAMES);
            a.forEach((name, t) -> assertArrayEquals(t.toFloatArray(), b.get(name).toFloatArray(), name));

            // another recipe is another entry
            assertTrue(EncoderCache.pretrainOrLoad(VISION, FEW_STEPS.withSeed(5), data, cache, m, null).trainedNow());
        }
    }

    @Test
    void aCorruptCachedEncoderIsReportedAndRebuilt(@TempDir Path cache) throws IOException {
        ShapesDataset data = world();
        try (NDManager m = NDManager.newBaseManager()) {
            EncoderCache.Entry first = EncoderCache.pretrainOrLoad(VISION, FEW_STEPS, data, cache, m, null);
            Path model = first.folder().resolve("model.safetensors");
            byte[] bytes = Files.readAllBytes(model);
            Files.write(model, java.util.Arrays.copyOf(bytes, bytes.length / 2));
            Log log = new Log();
            EncoderCache.Entry rebuilt = EncoderCache.pretrainOrLoad(VISION, FEW_STEPS, data, cache, m, log.out);
            assertTrue(rebuilt.trainedNow());
            assertTrue(log.text().contains("cannot be used") && log.text().contains("truncated")
                    && log.text().contains("pretraining it again"), log.text());
            assertEquals(EncoderIdentity.of(first.encoder()), EncoderIdentity.of(rebuilt.encoder()));
            assertFalse(EncoderCache.pretrainOrLoad(VISION, FEW_STEPS, data, cache, m, null).trainedNow());
        }
    }

    @Test
    void cachedFeaturesEqualTheEncodersAndAreReused(@TempDir Path cache) {
        ShapesDataset data = world();
        List<Sample> all = EmbeddedVision.allSamples(data);
        String identity = EmbeddedVision.datasetIdentity(data);
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer encoder = EncoderCache.pretrainOrLoad(VISION, FEW_STEPS, data, cache, m, null).encoder();
            EncoderImageFeatures direct = new EncoderImageFeatures(encoder, all);
            int[] ids = {all.get(30).id(), all.get(0).id(), all.get(7).id(), all.get(38).id()};
            float[] expected;
            try (NDManager scope = m.newSubManager()) {
                expected = direct.get(scope, ids).toFloatArray();
            }
            float[] fresh;
            try (FeatureCache built = FeatureCache.buildOrLoad(encoder, all, identity, cache, m, 8, null);
                 NDManager scope = m.newSubManager()) {
                assertTrue(built.builtNow());
                assertEquals(VISION.width(), built.width());
                assertEquals(all.size(), built.size());
                NDArray f = built.get(scope, ids);
                assertEquals(new Shape(4, 17, 32), f.getShape());
                assertEquals(scope, f.getManager());
                fresh = f.toFloatArray();
                assertArrayEquals(expected, fresh, 1e-6f);
            }
            Log log = new Log();
            try (FeatureCache loaded = FeatureCache.buildOrLoad(encoder, all, identity, cache, m, 8, log.out);
                 NDManager scope = m.newSubManager()) {
                assertFalse(loaded.builtNow());
                assertTrue(log.text().contains("loaded the image features"), log.text());
                assertArrayEquals(fresh, loaded.get(scope, ids).toFloatArray());
                IllegalArgumentException unknown =
                        assertThrows(IllegalArgumentException.class, () -> loaded.get(scope, new int[] {0, 9999}));
                assertTrue(unknown.getMessage().contains("sample id 9999") && unknown.getMessage().contains("39 images"),
                        unknown.getMessage());
            }
            try (NDManager scope = m.newSubManager()) {
                assertThrows(IllegalArgumentException.class, () -> direct.get(scope, new int[] {9999}));
            }
        }
    }

    @Test
    void aCorruptShardIsReportedAndRebuilt(@TempDir Path cache) throws IOException {
        ShapesDataset data = world();
        List<Sample> all = EmbeddedVision.allSamples(data);
        String identity = EmbeddedVision.datasetIdentity(data);
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer encoder = EncoderCache.pretrainOrLoad(VISION, FEW_STEPS, data, cache, m, null).encoder();
            Path folder;
            try (FeatureCache built = FeatureCache.buildOrLoad(encoder, all, identity, cache, m, 8, null)) {
                folder = built.folder();
            }
            Files.write(folder.resolve("shard-00000.safetensors"), new byte[] {1, 2, 3});
            Log log = new Log();
            try (FeatureCache rebuilt = FeatureCache.buildOrLoad(encoder, all, identity, cache, m, 8, log.out)) {
                assertTrue(rebuilt.builtNow());
                assertTrue(log.text().contains("cannot be used") && log.text().contains("computing them again"), log.text());
            }
            // another dataset identity is another folder
            try (FeatureCache other = FeatureCache.buildOrLoad(encoder, all.subList(0, 3), "other", cache, m, 8, null)) {
                assertTrue(other.builtNow());
                assertFalse(other.folder().equals(folder));
            }
        }
    }

    @Test
    void theFacadeReturnsFeaturesOfEverySplitAndChecksImageSize(@TempDir Path cache) {
        ShapesDataset data = world();
        try (NDManager m = NDManager.newBaseManager()) {
            int before = m.getManagedArrays().size();
            try (FeatureCache features = EmbeddedVision.features(VISION, FEW_STEPS, data, cache, m, null);
                 NDManager scope = m.newSubManager()) {
                assertEquals(data.size(), features.size());
                assertEquals(VISION.width(), features.width());
                int last = EmbeddedVision.allSamples(data).get(data.size() - 1).id();
                assertEquals(new Shape(1, 17, 32), features.get(scope, new int[] {last}).getShape());
            }
            assertEquals(before, m.getManagedArrays().size());
            ConfigException size = assertThrows(ConfigException.class,
                    () -> EmbeddedVision.features(VISION.withImageSize(64), FEW_STEPS, data, cache, m, null));
            assertTrue(size.getMessage().contains("32x32") && size.getMessage().contains("imageSize"), size.getMessage());
        }
    }
}
