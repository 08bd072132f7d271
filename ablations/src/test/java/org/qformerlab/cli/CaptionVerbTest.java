package org.qformerlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.bridge.Blip2Captioner;
import org.qformerlab.blip2.bridge.Blip2Config;
import org.qformerlab.blip2.bridge.Blip2ConditionalGeneration;

/** {@code qformerlab caption} on a tiny random Hugging Face BLIP-2 folder written here, and its usage errors. */
class CaptionVerbTest {

    private static final String CONFIG = """
            {"architectures": ["Blip2ForConditionalGeneration"], "model_type": "blip-2", "num_query_tokens": 4,
             "vision_config": {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
               "num_attention_heads": 4, "image_size": 32, "patch_size": 8},
             "qformer_config": {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
               "intermediate_size": 64, "encoder_hidden_size": 32, "vocab_size": 40, "max_position_embeddings": 16},
             "text_config": {"model_type": "opt", "vocab_size": 8, "hidden_size": 24, "ffn_dim": 48,
               "num_hidden_layers": 2, "num_attention_heads": 4, "max_position_embeddings": 48,
               "pad_token_id": 0, "bos_token_id": 1, "eos_token_id": 1, "dropout": 0.0}}
            """;
    private static final String TOKENIZER = """
            {"version": "1.0", "truncation": null, "padding": null,
             "added_tokens": [
               {"id": 0, "content": "<pad>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
               {"id": 1, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
               {"id": 2, "content": "<unk>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
             "normalizer": {"type": "Lowercase"}, "pre_tokenizer": {"type": "Whitespace"}, "post_processor": null,
             "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
             "model": {"type": "WordLevel", "unk_token": "<unk>",
               "vocab": {"<pad>": 0, "</s>": 1, "<unk>": 2, "a": 3, "red": 4, "circle": 5, "photo": 6, "of": 7}}}
            """;

    @TempDir
    Path dir;
    Path model;
    Path image;

    private static CommandLineRun run(String... argv) {
        return CommandLineRun.of(argv);
    }

    @BeforeEach
    void tinyModelFolderAndImage() throws Exception {
        model = Files.createDirectories(dir.resolve("blip2-tiny"));
        Files.writeString(model.resolve("config.json"), CONFIG);
        Files.writeString(model.resolve("tokenizer.json"), TOKENIZER);
        try (NDManager m = NDManager.newBaseManager()) {
            Blip2ConditionalGeneration.create(Blip2Config.read(model), m).save(model);
        }
        BufferedImage picture = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = picture.createGraphics();
        g.setColor(Color.RED);
        g.fillOval(5, 5, 20, 20);
        g.dispose();
        image = dir.resolve("red.png");
        ImageIO.write(picture, "png", image.toFile());
    }

    @Test
    void captionsAnImageAsTheLibraryDoes() throws Exception {
        CommandLineRun r = run("caption", "--model", model.toString(), "--image", image.toString(), "--prompt", "a photo of",
                "--beams", "2", "--max-tokens", "5", "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        String expected;
        try (NDManager m = NDManager.newBaseManager(); Blip2Captioner c = Blip2Captioner.load(model, m)) {
            expected = c.caption(ImageIO.read(image.toFile()), c.model().generationConfig(5, 2), "a photo of").text();
        }
        assertEquals(expected + System.lineSeparator(), r.out());
    }

    @Test
    void usageErrorsAndBadFilesAreNamed() throws Exception {
        CommandLineRun noImage = run("caption", "--model", model.toString());
        assertEquals(2, noImage.code());
        assertTrue(noImage.err().contains("--model DIR and --image FILE are both required")
                && noImage.err().contains("usage: qformerlab caption"), noImage.err());
        CommandLineRun beams = run("caption", "--model", model.toString(), "--image", image.toString(), "--beams", "0");
        assertEquals(2, beams.code());
        assertTrue(beams.err().contains("--beams must be at least 1"), beams.err());
        CommandLineRun typo = run("caption", "--model", model.toString(), "--image", image.toString(), "--beam", "3");
        assertEquals(2, typo.code());
        assertTrue(typo.err().contains("unknown option --beam"), typo.err());

        CommandLineRun missing = run("caption", "--model", model.toString(), "--image", dir.resolve("nope.png").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("nope.png does not exist"), missing.err());
        Path text = Files.writeString(dir.resolve("not-an-image.png"), "hello");
        CommandLineRun notImage = run("caption", "--model", model.toString(), "--image", text.toString());
        assertEquals(1, notImage.code());
        assertTrue(notImage.err().contains("is not an image"), notImage.err());

        Files.delete(model.resolve("model.safetensors"));
        CommandLineRun noWeights = run("caption", "--model", model.toString(), "--image", image.toString());
        assertEquals(1, noWeights.code());
        assertTrue(noWeights.err().contains("no weights in " + model), noWeights.err());
        Files.delete(model.resolve("tokenizer.json"));
        CommandLineRun noTokenizer = run("caption", "--model", model.toString(), "--image", image.toString());
        assertEquals(1, noTokenizer.code());
        assertTrue(noTokenizer.err().contains("tokenizer.json") && noTokenizer.err().contains("not found"),
                noTokenizer.err());
    }
}
