package org.qformerlab.cli;

import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.qformerlab.blip2.bridge.Blip2Captioner;
import org.qformerlab.blip2.checkpoint.CheckpointException;
import org.qformerlab.blip2.llm.GenerationConfig;
import org.qformerlab.blip2.nn.Devices;

/**
 * {@code qformerlab caption}: captions one image with a downloaded Hugging Face
 * {@code Blip2ForConditionalGeneration} folder (OPT or FlanT5), offline, and prints the caption.
 */
public final class CaptionVerb implements Verb {

    @Override
    public String name() {
        return "caption";
    }

    @Override
    public String summary() {
        return "caption an image with a downloaded Hugging Face BLIP-2 model (OPT or FlanT5)";
    }

    @Override
    public String usage() {
        return """
                usage: qformerlab caption --model DIR --image FILE [options]

                Captions FILE (PNG, JPEG, ...) with the BLIP-2 model in DIR, a Hugging Face
                Blip2ForConditionalGeneration folder: config.json, model.safetensors (or its shards and
                model.safetensors.index.json), tokenizer.json, and optionally preprocessor_config.json.
                Nothing is downloaded. Prints the caption on standard output.

                options:
                  --prompt TEXT      text the caption continues, e.g. "a photo of" (default: none)
                  --beams N          beam search with N beams; 1 = greedy (default 1)
                  --max-tokens N     at most N new tokens (default 30)
                  --device D         auto | cpu | gpu | gpu:N (default auto)
                """;
    }

    @Override
    public int run(Args args, PrintStream out) throws Exception {
        String model = args.string("model", null);
        String image = args.string("image", null);
        String prompt = args.string("prompt", null);
        int beams = args.integer("beams", 1);
        int maxTokens = args.integer("max-tokens", 30);
        String device = args.string("device", "auto");
        args.checkAllUsed();
        if (model == null || image == null) {
            throw new Args.UsageException("--model DIR and --image FILE are both required");
        }
        if (beams < 1) {
            throw new Args.UsageException("--beams must be at least 1 (1 = greedy), got " + beams);
        }
        if (maxTokens < 1) {
            throw new Args.UsageException("--max-tokens must be at least 1, got " + maxTokens);
        }
        Path modelDir = Path.of(model);
        if (!Files.isDirectory(modelDir)) {
            throw new IllegalArgumentException("--model " + model + " is not a folder: give the folder of a"
                    + " downloaded Hugging Face BLIP-2 model (config.json, model.safetensors, tokenizer.json)");
        }
        BufferedImage picture = readImage(Path.of(image));
        try (NDManager manager = NDManager.newBaseManager(Devices.resolve(device));
                Blip2Captioner captioner = Blip2Captioner.load(modelDir, manager)) {
            var converted = captioner.model().loadReport().converted();
            if (!converted.isEmpty()) {
                System.err.println("note: " + converted.size() + " tensors of " + modelDir + " were converted to the"
                        + " model's float type on loading, e.g. " + converted.get(0));
            }
            GenerationConfig generation = captioner.model().generationConfig(maxTokens, beams);
            out.println(captioner.caption(picture, generation, prompt).text());
            return 0;
        } catch (CheckpointException | IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static BufferedImage readImage(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--image " + file + " does not exist");
        }
        BufferedImage picture;
        try {
            picture = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("--image " + file + " cannot be read: " + e.getMessage(), e);
        }
        if (picture == null) {
            throw new IllegalArgumentException("--image " + file + " is not an image Java can read (PNG, JPEG, GIF, BMP)");
        }
        return picture;
    }
}
