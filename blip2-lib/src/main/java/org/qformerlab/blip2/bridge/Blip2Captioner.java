package org.qformerlab.blip2.bridge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import org.qformerlab.blip2.llm.Generation;
import org.qformerlab.blip2.llm.GenerationConfig;
import org.qformerlab.blip2.llm.HuggingFaceTokenizer;
import org.qformerlab.blip2.llm.Tokenizer;
import org.qformerlab.blip2.vision.BlipImageProcessor;

/**
 * Image in, caption out: a {@link Blip2ConditionalGeneration} with the two ends it needs, the
 * image processor (pixels the vision encoder was trained on) and the tokenizer (the LLM's
 * vocabulary). {@link #load} reads all three from a downloaded Hugging Face folder, offline.
 */
public final class Blip2Captioner implements AutoCloseable {

    /** A caption: its text and the generated ids it was decoded from (EOS included if reached). */
    public record Caption(String text, long[] tokens) {}

    private final Blip2ConditionalGeneration model;
    private final Tokenizer tokenizer;
    private final BlipImageProcessor images;

    public Blip2Captioner(Blip2ConditionalGeneration model, Tokenizer tokenizer, BlipImageProcessor images) {
        if (images.imageSize() != model.config().vision().imageSize()) {
            throw new IllegalArgumentException("the image processor makes " + images.imageSize() + "x"
                    + images.imageSize() + " images but the vision encoder reads " + model.config().vision().imageSize()
                    + ": use BlipImageProcessor.forModel(dir, " + model.config().vision().imageSize() + ")");
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.images = images;
    }

    /**
     * Reads {@code dir}: {@code config.json}, {@code model.safetensors} (or shards),
     * {@code tokenizer.json} and, if present, {@code preprocessor_config.json}. The weights live in
     * {@code manager} (whose device, from {@link org.qformerlab.blip2.nn.Devices}, they run on).
     */
    public static Blip2Captioner load(Path dir, NDManager manager) throws IOException {
        Tokenizer tokenizer = HuggingFaceTokenizer.load(dir.resolve("tokenizer.json")); // cheap checks first
        try {
            Blip2ConditionalGeneration model = Blip2ConditionalGeneration.load(dir, manager);
            return new Blip2Captioner(model, tokenizer, BlipImageProcessor.forModel(dir, model.config().vision().imageSize()));
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    public Blip2ConditionalGeneration model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * Captions one image: resize and normalise, vision -> Q-Former -> projection -> LLM decoding
     * after {@code prompt} (null or empty for none), then the generated ids as text without special
     * tokens.
     */
    public Caption caption(BufferedImage image, GenerationConfig generation, String prompt) {
        long[] promptIds = model.llm().framePrompt(
                prompt == null || prompt.isEmpty() ? new long[0] : tokenizer.encode(prompt));
        int size = images.imageSize();
        NDArray anyWeight = model.namedParameters().values().iterator().next().getArray();
        try (NDManager scope = anyWeight.getManager().newSubManager()) {
            NDArray pixels = scope.create(images.pixels(image), new Shape(1, 3, size, size));
            Generation g = model.generate(scope, pixels, promptIds, generation);
            long[] tokens = g.tokens()[0];
            return new Caption(tokenizer.decode(tokens).strip(), tokens);
        }
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
