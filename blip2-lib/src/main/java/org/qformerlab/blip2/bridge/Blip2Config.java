package org.qformerlab.blip2.bridge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.qformerlab.blip2.checkpoint.CheckpointException;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.llm.OptConfig;
import org.qformerlab.blip2.llm.T5Config;
import org.qformerlab.blip2.vision.VisionConfig;

/**
 * The shape of a Hugging Face {@code Blip2ForConditionalGeneration} ({@code config.json}: its
 * {@code Blip2Config}) in this library's config records: the image encoder ({@code vision_config}),
 * the Q-Former ({@code qformer_config} and {@code num_query_tokens}) and the frozen LLM
 * ({@code text_config}, {@code model_type} {@code opt} or {@code t5}; exactly one of {@code opt} and
 * {@code t5} is set). Fields that Hugging Face leaves out of a saved config take its defaults (the
 * values of BLIP-2's ViT-g, BERT-base Q-Former, OPT and T5 classes).
 *
 * <p>Two facts of Hugging Face's layout shape the records: its vision model already ends at the
 * block whose output BLIP-2 reads, so the features are the last block's raw output
 * ({@code featureLayer = layers}); and its {@code post_layernorm} is LAVIS's {@code ln_vision}, which
 * the Q-Former bridge applies.
 */
public record Blip2Config(VisionConfig vision, QFormerConfig qformer, OptConfig opt, T5Config t5) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public Blip2Config {
        ConfigException.require(vision != null && qformer != null, "Blip2Config: vision and qformer are required");
        ConfigException.require((opt == null) != (t5 == null),
                "Blip2Config: exactly one language model (opt or t5) must be given");
        ConfigException.require(qformer.visionWidth() == vision.width(),
                "Blip2Config: qformer_config.encoder_hidden_size=" + qformer.visionWidth()
                        + " must equal vision_config.hidden_size=" + vision.width()
                        + " (the Q-Former cross-attends to the vision features)");
    }

    /** The LLM's embedding width: the output width of {@code language_projection}. */
    public int llmWidth() {
        return opt != null ? opt.hiddenSize() : t5.dModel();
    }

    /** Reads {@code config.json} (a file, or the model folder that holds it). */
    public static Blip2Config read(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve("config.json") : path;
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException("model config not found: " + file
                    + " (a Hugging Face model folder holds config.json beside model.safetensors)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file + " is not valid JSON at line " + e.getLocation().getLineNr()
                    + " (" + e.getOriginalMessage() + "); re-download it", e);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(root);
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage(), e);
        }
    }

    /** The records for a parsed {@code config.json}. */
    public static Blip2Config parse(JsonNode root) {
        Section top = new Section("", root);
        VisionConfig vision = vision(top.section("vision_config"));
        QFormerConfig qformer = qformer(top.section("qformer_config"), top.integer("num_query_tokens", 32),
                top.integer("image_text_hidden_size", 256));
        Section text = top.section("text_config");
        String type = text.string("model_type", null);
        if ("opt".equals(type)) {
            return new Blip2Config(vision, qformer, opt(text), null);
        }
        if ("t5".equals(type)) {
            return new Blip2Config(vision, qformer, null, t5(text));
        }
        throw new ConfigException("text_config.model_type is " + (type == null ? "missing" : "'" + type + "'")
                + ": this library runs BLIP-2 with an OPT ('opt') or FlanT5 ('t5') language model");
    }

    private static VisionConfig vision(Section v) {
        v.requireValue("hidden_act", "gelu", "the vision encoder's MLP is GELU");
        int layers = v.integer("num_hidden_layers", 39);
        return new VisionConfig(v.integer("image_size", 224), v.integer("patch_size", 14), v.integer("num_channels", 3),
                v.integer("hidden_size", 1408), layers, v.integer("num_attention_heads", 16),
                v.integer("intermediate_size", 6144), v.number("layer_norm_eps", 1e-6), layers);
    }

    private static QFormerConfig qformer(Section q, int numQueries, int embedDim) {
        q.requireValue("hidden_act", "gelu", "the Q-Former's feed-forward blocks are GELU");
        q.requireValue("position_embedding_type", "absolute", "the Q-Former uses absolute positions");
        int vocab = q.integer("vocab_size", 30522);
        // stage 2 never feeds text to the Q-Former: [CLS]/[DEC] ids are placeholders inside the vocabulary
        return new QFormerConfig(q.integer("hidden_size", 768), q.integer("num_hidden_layers", 12),
                q.integer("num_attention_heads", 12), q.integer("intermediate_size", 3072), numQueries,
                q.integer("cross_attention_frequency", 2), q.integer("encoder_hidden_size", 1408), vocab,
                q.integer("max_position_embeddings", 512), q.number("hidden_dropout_prob", 0.1),
                q.number("attention_probs_dropout_prob", 0.1), q.number("layer_norm_eps", 1e-12), embedDim, 0.07,
                q.integer("pad_token_id", 0), Math.min(101, vocab - 1), vocab - 1,
                q.number("initializer_range", QFormerConfig.BERT_INITIALIZER_RANGE));
    }

    private static OptConfig opt(Section t) {
        t.requireValue("activation_function", "relu", "OPT's feed-forward blocks are ReLU");
        int hidden = t.integer("hidden_size", 768);
        int projected = t.integer("word_embed_proj_dim", hidden);
        ConfigException.require(projected == hidden, "text_config.word_embed_proj_dim=" + projected
                + " differs from hidden_size=" + hidden + ": OPT's project_in/project_out (opt-350m) are not supported");
        return new OptConfig(t.integer("vocab_size", 50272), hidden, t.integer("ffn_dim", 3072),
                t.integer("num_hidden_layers", 12), t.integer("num_attention_heads", 12),
                t.integer("max_position_embeddings", 2048), t.integer("pad_token_id", 1), t.integer("bos_token_id", 2),
                t.integer("eos_token_id", 2), 1e-5, t.number("dropout", 0.1), t.bool("do_layer_norm_before", true));
    }

    private static T5Config t5(Section t) {
        String ff = t.string("feed_forward_proj", "relu");
        ConfigException.require(ff.equals("gated-gelu"), "text_config.feed_forward_proj is '" + ff
                + "' but this library implements T5 v1.1 / FlanT5's 'gated-gelu' feed-forward only");
        int layers = t.integer("num_layers", 6);
        return new T5Config(t.integer("vocab_size", 32128), t.integer("d_model", 512), t.integer("d_kv", 64),
                t.integer("d_ff", 2048), layers, t.integer("num_decoder_layers", layers), t.integer("num_heads", 8),
                t.integer("relative_attention_num_buckets", 32), t.integer("relative_attention_max_distance", 128),
                t.number("layer_norm_epsilon", 1e-6), t.number("dropout_rate", 0.1), t.integer("pad_token_id", 0),
                t.integer("eos_token_id", 1), t.bool("tie_word_embeddings", true),
                t.string("dense_act_fn", T5Config.GELU_NEW));
    }

    /** One object of the JSON, read with Hugging Face's defaults and errors that name the field. */
    private record Section(String path, JsonNode node) {

        Section section(String name) {
            JsonNode n = node.get(name);
            if (n == null || !n.isObject()) {
                throw new ConfigException(where(name) + " is missing: a Blip2ForConditionalGeneration config.json has"
                        + " vision_config, qformer_config and text_config objects");
            }
            return new Section(where(name), n);
        }

        int integer(String name, int fallback) {
            JsonNode n = value(name);
            if (n == null) {
                return fallback;
            }
            ConfigException.require(n.canConvertToInt() && n.isIntegralNumber(),
                    where(name) + " must be a whole number, got " + n);
            return n.asInt();
        }

        double number(String name, double fallback) {
            JsonNode n = value(name);
            if (n == null) {
                return fallback;
            }
            ConfigException.require(n.isNumber(), where(name) + " must be a number, got " + n);
            return n.asDouble();
        }

        boolean bool(String name, boolean fallback) {
            JsonNode n = value(name);
            if (n == null) {
                return fallback;
            }
            ConfigException.require(n.isBoolean(), where(name) + " must be true or false, got " + n);
            return n.asBoolean();
        }

        String string(String name, String fallback) {
            JsonNode n = value(name);
            return n == null ? fallback : n.asText();
        }

        void requireValue(String name, String expected, String why) {
            String actual = string(name, expected);
            ConfigException.require(actual.equals(expected),
                    where(name) + " is '" + actual + "' but must be '" + expected + "': " + why);
        }

        private JsonNode value(String name) {
            JsonNode n = node.get(name);
            return n == null || n.isNull() ? null : n;
        }

        private String where(String name) {
            return path.isEmpty() ? name : path + "." + name;
        }
    }
}
