package org.qformerlab.blip2.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.checkpoint.CheckpointException;
import org.qformerlab.blip2.checkpoint.Safetensors;
import org.qformerlab.blip2.checkpoint.SafetensorsShards;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.llm.GenerationConfig;
import org.qformerlab.blip2.llm.HuggingFaceTokenizer;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.testing.TinyTokenizerJson;
import org.qformerlab.blip2.vision.BlipImageProcessor;
import org.qformerlab.blip2.vision.VisionConfig;

/**
 * A Hugging Face {@code Blip2ForConditionalGeneration} folder, tiny and random, written here
 * (config.json, weights under Hugging Face names, tokenizer.json): it loads back exactly, captions
 * as the in-memory model does, and bad folders fail with messages that name the problem.
 */
class Blip2ConditionalGenerationTest {

    private static final String VISION = "\"vision_config\": {\"hidden_size\": 32, \"intermediate_size\": 64,"
            + " \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"image_size\": 32, \"patch_size\": 8,"
            + " \"layer_norm_eps\": 1e-6, \"model_type\": \"blip_2_vision_model\"}";
    private static final String QFORMER = "\"qformer_config\": {\"hidden_size\": 32, \"num_hidden_layers\": 2,"
            + " \"num_attention_heads\": 4, \"intermediate_size\": 64, \"cross_attention_frequency\": 1,"
            + " \"encoder_hidden_size\": 32, \"vocab_size\": 40, \"max_position_embeddings\": 16,"
            + " \"model_type\": \"blip_2_qformer\"}";
    static final String OPT = "\"text_config\": {\"model_type\": \"opt\", \"vocab_size\": 8, \"hidden_size\": 24,"
            + " \"ffn_dim\": 48, \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"max_position_embeddings\": 32,"
            + " \"pad_token_id\": 0, \"bos_token_id\": 1, \"eos_token_id\": 1, \"dropout\": 0.0,"
            + " \"do_layer_norm_before\": true, \"word_embed_proj_dim\": 24}";
    static final String T5 = "\"text_config\": {\"model_type\": \"t5\", \"vocab_size\": 8, \"d_model\": 24,"
            + " \"d_kv\": 6, \"d_ff\": 48, \"num_layers\": 2, \"num_decoder_layers\": 1, \"num_heads\": 4,"
            + " \"relative_attention_num_buckets\": 8, \"relative_attention_max_distance\": 20, \"dropout_rate\": 0.0,"
            + " \"pad_token_id\": 0, \"eos_token_id\": 1, \"feed_forward_proj\": \"gated-gelu\","
            + " \"tie_word_embeddings\": false}";

    /** Writes config.json and tokenizer.json for a tiny BLIP-2 with the given text_config. */
    static Path folder(Path dir, String textConfig) throws Exception {
        Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"Blip2ForConditionalGeneration\"],"
                + " \"model_type\": \"blip-2\", \"num_query_tokens\": 4, " + VISION + ", " + QFORMER + ", "
                + textConfig + "}");
        TinyTokenizerJson.write(dir);
        return dir;
    }

    /** A picture with some structure, so that different pixels reach the encoder. */
    static BufferedImage picture() {
        BufferedImage image = new BufferedImage(50, 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(30, 60, 200));
        g.fillRect(0, 0, 50, 40);
        g.setColor(Color.RED);
        g.fillOval(10, 5, 25, 25);
        g.dispose();
        return image;
    }

    private static void assertSameTensors(Map<String, NDArray> expected, Map<String, NDArray> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, e) -> {
            NDArray a = actual.get(name);
            assertEquals(e.getShape(), a.getShape(), name);
            assertArrayEquals(e.toFloatArray(), a.toFloatArray(), 0f, name); // bit-exact round trip
        });
    }

    /** Saves, loads back, compares every weight and the captions (greedy twice, and beams). */
    private static void roundTrip(Path dir, boolean sharded) throws Exception {
        try (NDManager m = NDManager.newBaseManager(); NDManager m2 = NDManager.newBaseManager();
                HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.load(dir)) {
            Seeds.set(11);
            Blip2ConditionalGeneration model = Blip2ConditionalGeneration.create(Blip2Config.read(dir), m);
            Map<String, NDArray> written = Weights.tensors(model, model.huggingFaceNames());
            if (sharded) {
                SafetensorsShards.write(dir, written, 3);
            } else {
                model.save(dir);
            }
            assertTrue(written.containsKey("vision_model.post_layernorm.weight"));
            assertTrue(written.containsKey("language_projection.weight"));
            assertTrue(written.keySet().stream().anyMatch(n -> n.startsWith("qformer.encoder.layer.0.crossattention.attention.")));

            Blip2ConditionalGeneration loaded = Blip2ConditionalGeneration.load(dir, m2);
            assertSameTensors(SafetensorsShards.read(m2, dir), Weights.tensors(loaded, loaded.huggingFaceNames()));
            assertEquals(java.util.List.of(), loaded.loadReport().converted(), "float32 in, float32 weights: nothing converted");
            assertEquals(loaded.namedParameters().size(), loaded.loadReport().loaded().size()
                    + loaded.loadReport().absentOnPurpose().values().stream().mapToInt(java.util.List::size).sum());
            assertEquals(null, model.loadReport(), "a built model was not loaded");

            Blip2Captioner inMemory = new Blip2Captioner(model, tokenizer, BlipImageProcessor.forModel(dir, 32));
            try (Blip2Captioner fromDisk = Blip2Captioner.load(dir, m2)) {
                GenerationConfig greedy = model.generationConfig(5, 1).withMinNewTokens(3);
                Blip2Captioner.Caption expected = inMemory.caption(picture(), greedy, "a photo of");
                Blip2Captioner.Caption actual = fromDisk.caption(picture(), greedy, "a photo of");
                assertTrue(expected.tokens().length >= 3, "min 3 new tokens");
                assertArrayEquals(expected.tokens(), actual.tokens());
                assertEquals(expected.text(), actual.text());
                assertEquals(tokenizer.decode(expected.tokens()).strip(), expected.text());
                assertArrayEquals(expected.tokens(), fromDisk.caption(picture(), greedy, "a photo of").tokens(),
                        "greedy decoding is deterministic");
                GenerationConfig beams = model.generationConfig(4, 3);
                assertArrayEquals(inMemory.caption(picture(), beams, null).tokens(),
                        fromDisk.caption(picture(), beams, null).tokens());
            }
        }
    }

    @Test
    void optFolderRoundTripsExactlyAndCaptionsLikeTheModelInMemory(@TempDir Path dir) throws Exception {
        roundTrip(folder(dir, OPT), false);
    }

    @Test
    void flanT5ShardedFolderRoundTripsExactlyAndCaptionsLikeTheModelInMemory(@TempDir Path dir) throws Exception {
        folder(dir, T5);
        roundTrip(dir, true);
        assertTrue(Files.exists(dir.resolve(SafetensorsShards.INDEX)));
        assertFalse(Files.exists(dir.resolve(SafetensorsShards.SINGLE)));
    }

    @Test
    void lnVisionUsesTheVisionConfigEpsilonAsHuggingFaceDoes(@TempDir Path dir) throws Exception {
        // features whose variance (1e-6) is as small as the epsilon, so 1e-6 against LAVIS's 1e-5 shows:
        // LayerNorm gives +-1e-3 / sqrt(1e-6 + eps), with ln_vision's weight 1 and bias 0 as initialised
        try (NDManager m = NDManager.newBaseManager()) {
            Blip2ConditionalGeneration model = Blip2ConditionalGeneration.create(Blip2Config.read(folder(dir, OPT)), m);
            float[] x = new float[32];
            for (int i = 0; i < x.length; i++) {
                x[i] = i % 2 == 0 ? 1e-3f : -1e-3f;
            }
            NDArray features = m.create(x, new Shape(1, 1, 32));
            float huggingFace = model.bridge().qformer().normalizeImage(features).toFloatArray()[0];
            assertEquals(1e-3 / Math.sqrt(1e-6 + 1e-6), huggingFace, 1e-4, "eps of vision_config.layer_norm_eps = 1e-6");
            float lavis = org.qformerlab.blip2.qformer.Blip2QFormer.create(model.config().qformer(), m).normalizeImage(features)
                    .toFloatArray()[0];
            assertEquals(1e-3 / Math.sqrt(1e-6 + 1e-5), lavis, 1e-4, "LAVIS's ln_vision: eps 1e-5");
        }
    }

    @Test
    void configJsonBecomesOurRecordsWithHuggingFaceDefaults() throws Exception {
        Blip2Config c = Blip2Config.parse(new ObjectMapper().readTree(
                "{\"vision_config\": {}, \"qformer_config\": {}, \"text_config\": {\"model_type\": \"opt\","
                        + " \"hidden_size\": 2560, \"ffn_dim\": 10240, \"num_hidden_layers\": 32, \"num_attention_heads\": 32,"
                        + " \"eos_token_id\": 50118}}"));
        // BLIP-2's ViT-g as Hugging Face keeps it: 39 blocks, features from the last one (raw; ln_vision follows)
        assertEquals(new VisionConfig(224, 14, 3, 1408, 39, 16, 6144, 1e-6, 39), c.vision());
        assertEquals(32, c.qformer().numQueries());
        assertEquals(768, c.qformer().hiddenSize());
        assertEquals(2, c.qformer().crossAttentionFreq());
        assertEquals(1408, c.qformer().visionWidth());
        assertEquals(30522, c.qformer().vocabSize());
        assertEquals(1e-12, c.qformer().layerNormEps());
        assertNull(c.t5());
        assertEquals(2560, c.opt().hiddenSize());
        assertEquals(50272, c.opt().vocabSize());
        assertEquals(50118, c.opt().eosTokenId());
        assertEquals(2, c.opt().bosTokenId());
        assertEquals(1, c.opt().padTokenId());
        assertEquals(2560, c.llmWidth());

        Blip2Config t5 = Blip2Config.parse(new ObjectMapper().readTree("{\"vision_config\": {}, \"qformer_config\": {},"
                + " \"num_query_tokens\": 16, \"text_config\": {\"model_type\": \"t5\", \"feed_forward_proj\": \"gated-gelu\","
                + " \"d_model\": 2048, \"d_ff\": 5120, \"num_layers\": 24, \"num_heads\": 32, \"tie_word_embeddings\": false}}"));
        assertNotNull(t5.t5());
        assertEquals(24, t5.t5().numDecoderLayers(), "num_decoder_layers defaults to num_layers");
        assertFalse(t5.t5().tieWordEmbeddings());
        assertEquals(16, t5.qformer().numQueries());
    }

    @Test
    void badConfigsNameTheField(@TempDir Path dir) throws Exception {
        ConfigException llama = assertThrows(ConfigException.class,
                () -> Blip2Config.read(folder(dir, "\"text_config\": {\"model_type\": \"llama\"}")));
        assertTrue(llama.getMessage().contains("text_config.model_type") && llama.getMessage().contains("config.json"),
                llama.getMessage());
        ConfigException relu = assertThrows(ConfigException.class,
                () -> Blip2Config.read(folder(dir, T5.replace("gated-gelu", "relu"))));
        assertTrue(relu.getMessage().contains("text_config.feed_forward_proj"), relu.getMessage());
        ConfigException notInt = assertThrows(ConfigException.class,
                () -> Blip2Config.read(folder(dir, OPT.replace("\"ffn_dim\": 48", "\"ffn_dim\": \"big\""))));
        assertTrue(notInt.getMessage().contains("text_config.ffn_dim must be a whole number"), notInt.getMessage());
        Files.writeString(dir.resolve("config.json"), Files.readString(folder(dir, OPT).resolve("config.json"))
                .replace("\"encoder_hidden_size\": 32", "\"encoder_hidden_size\": 16"));
        ConfigException width = assertThrows(ConfigException.class, () -> Blip2Config.read(dir));
        assertTrue(width.getMessage().contains("qformer_config.encoder_hidden_size=16 must equal vision_config.hidden_size=32"),
                width.getMessage());
        Files.writeString(dir.resolve("config.json"), "{\"vision_config\": {");
        CheckpointException truncated = assertThrows(CheckpointException.class, () -> Blip2Config.read(dir));
        assertTrue(truncated.getMessage().contains("config.json is not valid JSON"), truncated.getMessage());
        CheckpointException none = assertThrows(CheckpointException.class, () -> Blip2Config.read(dir.resolve("nowhere")));
        assertTrue(none.getMessage().contains("model config not found"), none.getMessage());
    }

    @Test
    void badCheckpointsNameEveryWrongTensor(@TempDir Path dir) throws Exception {
        folder(dir, OPT);
        try (NDManager m = NDManager.newBaseManager()) {
            CheckpointException empty = assertThrows(CheckpointException.class,
                    () -> Blip2ConditionalGeneration.load(dir, m));
            assertTrue(empty.getMessage().contains("no weights in " + dir), empty.getMessage());

            Blip2ConditionalGeneration model = Blip2ConditionalGeneration.create(Blip2Config.read(dir), m);
            Map<String, NDArray> tensors = new LinkedHashMap<>(Weights.tensors(model, model.huggingFaceNames()));
            tensors.remove("language_projection.weight");
            tensors.put("query_tokens", m.zeros(new Shape(1, 5, 32)));
            tensors.put("language_model.model.decoder.extra.weight", m.zeros(new Shape(2)));
            Safetensors.write(dir.resolve("model.safetensors"), tensors);
            String msg = assertThrows(CheckpointException.class, () -> Blip2ConditionalGeneration.load(dir, m)).getMessage();
            assertTrue(msg.contains(dir + " (Hugging Face Blip2ForConditionalGeneration names) does not fit the model"), msg);
            assertTrue(msg.contains("missing tensors (1): [language_projection.weight]"), msg);
            assertTrue(msg.contains("query_tokens: file (1, 5, 32) vs model (1, 4, 32)"), msg);
            assertTrue(msg.contains("unexpected tensors (1): [language_model.model.decoder.extra.weight]"), msg);

            Files.delete(dir.resolve("model.safetensors"));
            SafetensorsShards.write(dir, Weights.tensors(model, model.huggingFaceNames()), 2);
            Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
            String shard = assertThrows(CheckpointException.class, () -> Blip2ConditionalGeneration.load(dir, m)).getMessage();
            assertTrue(shard.contains("lists shard model-00002-of-00002.safetensors") && shard.contains("does not exist"), shard);
        }
    }

    @Test
    void imageProcessorResizesAndNormalisesWithTheFolderStatistics(@TempDir Path dir) throws Exception {
        BufferedImage plain = new BufferedImage(7, 5, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = plain.createGraphics();
        g.setColor(new Color(255, 0, 51));
        g.fillRect(0, 0, 7, 5);
        g.dispose();
        float[] clip = BlipImageProcessor.forModel(dir, 4).pixels(plain); // no file: BLIP-2's CLIP statistics
        assertEquals(3 * 16, clip.length);
        float[] m = BlipImageProcessor.CLIP_MEAN;
        float[] s = BlipImageProcessor.CLIP_STD;
        for (int p = 0; p < 16; p++) {
            assertEquals((1f - m[0]) / s[0], clip[p], 1e-5);
            assertEquals((0f - m[1]) / s[1], clip[16 + p], 1e-5);
            assertEquals((0.2f - m[2]) / s[2], clip[32 + p], 1e-5);
        }
        Files.writeString(dir.resolve(BlipImageProcessor.FILE),
                "{\"image_mean\": [0.5, 0.5, 0.5], \"image_std\": [0.25, 0.5, 1.0], \"size\": {\"height\": 224}}");
        float[] own = BlipImageProcessor.forModel(dir, 4).pixels(plain);
        assertEquals(2f, own[0], 1e-5);
        assertEquals(-1f, own[16], 1e-5);
        assertEquals(-0.3f, own[32], 1e-5);
        Files.writeString(dir.resolve(BlipImageProcessor.FILE), "{\"image_mean\": [0.5, 0.5]}");
        ConfigException bad = assertThrows(ConfigException.class, () -> BlipImageProcessor.forModel(dir, 4));
        assertTrue(bad.getMessage().contains("image_mean must be three numbers"), bad.getMessage());
    }
}
