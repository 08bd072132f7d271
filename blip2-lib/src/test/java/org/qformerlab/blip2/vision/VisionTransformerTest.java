package org.qformerlab.blip2.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.nn.GradMode;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.train.AdamW;

class VisionTransformerTest {

    private static final VisionConfig TINY = VisionConfig.tiny(); // 32x32, patch 8, width 32, 2 blocks, 4 heads

    private static VisionTransformer model(NDManager m, long seed) {
        Seeds.set(seed);
        return VisionTransformer.create(TINY, m);
    }

    @Test
    void parameterNamesAndShapesAreHuggingFaceBlip2VisionModels() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Shape> actual = new LinkedHashMap<>();
            model(m, 1).namedParameters().forEach((n, p) -> actual.put(n, p.getShape()));
            Map<String, Shape> expected = new LinkedHashMap<>();
            expected.put("embeddings.class_embedding", new Shape(1, 1, 32));
            expected.put("embeddings.patch_embedding.weight", new Shape(32, 3, 8, 8));
            expected.put("embeddings.patch_embedding.bias", new Shape(32));
            expected.put("embeddings.position_embedding", new Shape(1, 17, 32));
            for (int i = 0; i < 2; i++) {
                String l = "encoder.layers." + i + ".";
                expected.put(l + "self_attn.qkv.weight", new Shape(96, 32));
                expected.put(l + "self_attn.q_bias", new Shape(32));
                expected.put(l + "self_attn.v_bias", new Shape(32));
                expected.put(l + "self_attn.projection.weight", new Shape(32, 32));
                expected.put(l + "self_attn.projection.bias", new Shape(32));
                expected.put(l + "layer_norm1.weight", new Shape(32));
                expected.put(l + "layer_norm1.bias", new Shape(32));
                expected.put(l + "mlp.fc1.weight", new Shape(64, 32));
                expected.put(l + "mlp.fc1.bias", new Shape(64));
                expected.put(l + "mlp.fc2.weight", new Shape(32, 64));
                expected.put(l + "mlp.fc2.bias", new Shape(32));
                expected.put(l + "layer_norm2.weight", new Shape(32));
                expected.put(l + "layer_norm2.bias", new Shape(32));
            }
            expected.put("post_layernorm.weight", new Shape(32));
            expected.put("post_layernorm.bias", new Shape(32));
            assertEquals(new java.util.TreeMap<>(expected), new java.util.TreeMap<>(actual));
            assertEquals("vision_model.encoder.layers.1.self_attn.qkv.weight",
                    VisionTransformer.HUGGING_FACE.external("encoder.layers.1.self_attn.qkv.weight"));
        }
    }

    @Test
    void patchTokenIsTheConvWeightAppliedToTheFlattenedPatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer vit = model(m, 2);
            NDArray pixels = m.randomNormal(new Shape(1, 3, 32, 32));
            float[] tokens = vit.embeddings().forward(pixels).toFloatArray(); // [1, 17, 32]
            float[] w = vit.namedParameters().get("embeddings.patch_embedding.weight").getArray().toFloatArray();
            float[] b = vit.namedParameters().get("embeddings.patch_embedding.bias").getArray().toFloatArray();
            float[] pos = vit.namedParameters().get("embeddings.position_embedding").getArray().toFloatArray();
            float[] cls = vit.namedParameters().get("embeddings.class_embedding").getArray().toFloatArray();
            float[] px = pixels.toFloatArray();
            int gy = 1;
            int gx = 2; // patch index 1 * 4 + 2 = 6, token 7
            int token = 1 + gy * 4 + gx;
            for (int d = 0; d < 32; d++) {
                double sum = b[d];
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < 8; y++) {
                        for (int x = 0; x < 8; x++) {
                            sum += w[((d * 3 + c) * 8 + y) * 8 + x] * px[(c * 32 + gy * 8 + y) * 32 + gx * 8 + x];
                        }
                    }
                }
                sum += pos[token * 32 + d];
                assertEquals(sum, tokens[token * 32 + d], 1e-4, "dimension " + d);
                assertEquals(cls[d] + pos[d], tokens[d], 1e-6, "class token, dimension " + d);
            }
            // patchify orders values like the conv weight: the same dot product
            float[] patches = Patches.patchify(pixels, 8).toFloatArray(); // [1, 16, 192]
            double dot = b[0];
            for (int k = 0; k < 192; k++) {
                dot += w[k] * patches[6 * 192 + k];
            }
            assertEquals(dot + pos[token * 32], tokens[token * 32], 1e-4);
            assertArrayEquals(px, Patches.unpatchify(Patches.patchify(pixels, 8), 8, 3).toFloatArray());
        }
    }

    @Test
    void attentionFusesQueryKeyValueWithAZeroKeyBias() {
        try (NDManager m = NDManager.newBaseManager()) {
            Seeds.set(3);
            VisionAttention attention = new VisionAttention(8, 2);
            attention.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32);
            Map<String, Parameter> p = attention.namedParameters();
            p.get("q_bias").getArray().set(m.randomNormal(new Shape(8)).toFloatArray());
            p.get("v_bias").getArray().set(m.randomNormal(new Shape(8)).toFloatArray());
            NDArray x = m.randomNormal(new Shape(1, 3, 8));
            NDArray out = attention.forward(x);

            // by hand: W = [Wq ; Wk ; Wv], heads of 4 dimensions, key without bias
            NDArray w = p.get("qkv.weight").getArray();
            NDArray q = x.matMul(w.get("0:8").transpose()).add(p.get("q_bias").getArray());
            NDArray k = x.matMul(w.get("8:16").transpose());
            NDArray v = x.matMul(w.get("16:24").transpose()).add(p.get("v_bias").getArray());
            NDArray[] heads = new NDArray[2];
            for (int h = 0; h < 2; h++) {
                String cols = ":, :, " + (4 * h) + ":" + (4 * h + 4);
                NDArray scores = q.get(cols).matMul(k.get(cols).transpose(0, 2, 1)).div(2.0).softmax(-1);
                heads[h] = scores.matMul(v.get(cols));
            }
            NDArray context = heads[0].concat(heads[1], 2);
            NDArray expected = context.matMul(p.get("projection.weight").getArray().transpose())
                    .add(p.get("projection.bias").getArray());
            assertArrayEquals(expected.toFloatArray(), out.toFloatArray(), 1e-5f);
        }
    }

    @Test
    void featuresComeFromTheConfiguredLayer() {
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer vit = model(m, 4);
            NDArray pixels = m.randomNormal(new Shape(2, 3, 32, 32));
            NDArray tokens = vit.embeddings().forward(pixels);
            NDArray secondToLast = vit.features(pixels);
            assertEquals(new Shape(2, 17, 32), secondToLast.getShape());
            assertArrayEquals(vit.blocks(tokens, 1).toFloatArray(), secondToLast.toFloatArray(), 1e-6f);

            VisionTransformer last = VisionTransformer.create(TINY.withFeatureLayer(-1), m);
            copy(vit, last);
            assertArrayEquals(vit.lastHiddenState(tokens).toFloatArray(), last.features(pixels).toFloatArray(), 1e-6f);
            VisionTransformer first = VisionTransformer.create(TINY.withFeatureLayer(1), m);
            copy(vit, first);
            assertArrayEquals(secondToLast.toFloatArray(), first.features(pixels).toFloatArray(), 1e-6f);
            assertFalse(java.util.Arrays.equals(secondToLast.toFloatArray(), last.features(pixels).toFloatArray()));
        }
    }

    @Test
    void wrongImagesAreRejectedWithTheFix() {
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer vit = model(m, 5);
            IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                    () -> vit.features(m.zeros(new Shape(1, 3, 64, 64))));
            assertTrue(size.getMessage().contains("(1, 3, 64, 64)") && size.getMessage().contains("32x32")
                    && size.getMessage().contains("imageSize=64"), size.getMessage());
            IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
                    () -> vit.features(m.zeros(new Shape(1, 1, 32, 32))));
            assertTrue(channels.getMessage().contains("channels 3"), channels.getMessage());
            assertThrows(IllegalArgumentException.class, () -> vit.features(m.zeros(new Shape(3, 32, 32))));
        }
    }

    @Test
    void invalidConfigsNameTheFieldAndTheFix() {
        ConfigException patch = assertThrows(ConfigException.class, () -> new VisionConfig(64, 7, 3, 192, 6, 3, 768, 1e-6, -2));
        assertTrue(patch.getMessage().contains("patchSize=7") && patch.getMessage().contains("such as 4"), patch.getMessage());
        ConfigException heads = assertThrows(ConfigException.class, () -> new VisionConfig(64, 8, 3, 190, 6, 4, 768, 1e-6, -2));
        assertTrue(heads.getMessage().contains("heads=4"), heads.getMessage());
        ConfigException layer = assertThrows(ConfigException.class, () -> new VisionConfig(64, 8, 3, 192, 6, 3, 768, 1e-6, -7));
        assertTrue(layer.getMessage().contains("featureLayer=-7"), layer.getMessage());
        assertEquals(65, VisionConfig.embedded().positions());
        assertEquals(VisionConfig.embedded().width(),
                VisionConfig.embedded().fit(org.qformerlab.blip2.config.QFormerConfig.embedded()).visionWidth());
    }

    @Test
    void savedWeightsLoadBackExactly(@TempDir Path dir) {
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer vit = model(m, 6);
            NDArray pixels = m.randomNormal(new Shape(2, 3, 32, 32));
            Path file = dir.resolve("vit.safetensors");
            vit.save(file);
            Seeds.set(99);
            VisionTransformer loaded = VisionTransformer.load(TINY, file, m);
            assertArrayEquals(vit.features(pixels).toFloatArray(), loaded.features(pixels).toFloatArray());
        }
    }

    @Test
    void aFrozenEncoderHasNothingToTrain() {
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer vit = model(m, 7);
            assertFalse(vit.isFrozen());
            vit.freeze();
            assertTrue(vit.isFrozen());
            assertThrows(IllegalArgumentException.class, () -> new AdamW(vit.namedParameters(), 0.9, 0.999, 1e-8, 0));
        }
    }

    @Test
    void aTrainingStepLeavesNothingInTheModelsManager() {
        try (NDManager m = NDManager.newBaseManager()) {
            MaskedAutoencoder mae = MaskedAutoencoder.create(TINY, VisionPretrainConfig.tiny(), m);
            int before = m.getManagedArrays().size();
            for (int i = 0; i < 3; i++) {
                try (NDManager scope = m.newSubManager();
                     GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray pixels = scope.randomNormal(new Shape(2, 3, 32, 32));
                    PatchMask mask = PatchMask.random(2, 16, 0.75, new java.util.SplittableRandom(i));
                    gc.backward(mae.loss(pixels, mask));
                }
                try (GradMode ignored = GradMode.off(); NDManager scope = m.newSubManager()) {
                    mae.encoder().features(scope.randomNormal(new Shape(2, 3, 32, 32)));
                }
            }
            assertEquals(before, m.getManagedArrays().size());
        }
    }

    private static void copy(VisionTransformer from, VisionTransformer to) {
        org.qformerlab.blip2.checkpoint.Weights.load(to, org.qformerlab.blip2.checkpoint.Weights.tensors(from, VisionTransformer.NAMES),
                VisionTransformer.NAMES, org.qformerlab.blip2.checkpoint.Weights.Policy.strict());
    }

    @SuppressWarnings("unused")
    private static NDIndex all() {
        return new NDIndex(":");
    }
}
