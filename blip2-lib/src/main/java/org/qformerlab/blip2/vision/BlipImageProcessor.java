package org.qformerlab.blip2.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.qformerlab.blip2.config.ConfigException;

/**
 * BLIP-2's evaluation transform (Hugging Face {@code BlipImageProcessor}): an RGB image resized to
 * {@code imageSize x imageSize} (aspect ratio not kept; bicubic), scaled to [0, 1], then normalised
 * per channel with {@code (x - mean[c]) / std[c]}, as CHW float32 values.
 *
 * <p>The statistics are CLIP's ({@link #CLIP_MEAN}, {@link #CLIP_STD}), which BLIP-2's EVA ViT-g was
 * trained with, unless the model folder's {@code preprocessor_config.json} gives others
 * ({@code image_mean}, {@code image_std}; {@code do_normalize: false} turns normalisation off). The
 * size always comes from the vision config: the encoder's position table fixes it. Java2D's bicubic
 * resampling is close to, not bit-identical with, PIL's.
 */
public final class BlipImageProcessor {

    /** OpenAI CLIP's per-channel mean (R, G, B), BLIP-2's default. */
    public static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    /** OpenAI CLIP's per-channel standard deviation (R, G, B), BLIP-2's default. */
    public static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    /** The Hugging Face file that carries the image statistics. */
    public static final String FILE = "preprocessor_config.json";

    private final int imageSize;
    private final float[] mean;
    private final float[] std;

    public BlipImageProcessor(int imageSize, float[] mean, float[] std) {
        ConfigException.require(imageSize > 0, "BlipImageProcessor.imageSize=" + imageSize + " must be positive");
        ConfigException.require(mean.length == 3 && std.length == 3,
                "BlipImageProcessor: image_mean and image_std need 3 values (R, G, B); got "
                        + Arrays.toString(mean) + " and " + Arrays.toString(std));
        for (float s : std) {
            ConfigException.require(s > 0, "BlipImageProcessor: image_std " + Arrays.toString(std) + " must be positive");
        }
        this.imageSize = imageSize;
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** BLIP-2's defaults (CLIP statistics) at the given size. */
    public static BlipImageProcessor blip2(int imageSize) {
        return new BlipImageProcessor(imageSize, CLIP_MEAN, CLIP_STD);
    }

    /**
     * The processor of a model folder: its {@code preprocessor_config.json} statistics when the file
     * exists, else BLIP-2's defaults; the size is the vision encoder's.
     */
    public static BlipImageProcessor forModel(Path dir, int imageSize) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return blip2(imageSize);
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new ConfigException(file + " is not valid JSON (" + e.getMessage() + "); re-download or delete it", e);
        }
        if (root != null && !root.path("do_normalize").asBoolean(true)) {
            return new BlipImageProcessor(imageSize, new float[3], new float[] {1, 1, 1});
        }
        return new BlipImageProcessor(imageSize, triple(file, root, "image_mean", CLIP_MEAN),
                triple(file, root, "image_std", CLIP_STD));
    }

    private static float[] triple(Path file, JsonNode root, String field, float[] fallback) {
        JsonNode n = root == null ? null : root.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isArray() || n.size() != 3 || !n.get(0).isNumber() || !n.get(1).isNumber() || !n.get(2).isNumber()) {
            throw new ConfigException(file + ": " + field + " must be three numbers (R, G, B), got " + n);
        }
        return new float[] {n.get(0).floatValue(), n.get(1).floatValue(), n.get(2).floatValue()};
    }

    public int imageSize() {
        return imageSize;
    }

    public float[] mean() {
        return mean.clone();
    }

    public float[] std() {
        return std.clone();
    }

    /** The image resized and normalised: CHW float32, length {@code 3 * imageSize^2}. */
    public float[] pixels(BufferedImage image) {
        BufferedImage rgb = resize(image);
        int plane = imageSize * imageSize;
        int[] argb = rgb.getRGB(0, 0, imageSize, imageSize, null, 0, imageSize);
        float[] out = new float[3 * plane];
        for (int p = 0; p < plane; p++) {
            int v = argb[p];
            out[p] = ((v >> 16 & 0xFF) / 255f - mean[0]) / std[0];
            out[plane + p] = ((v >> 8 & 0xFF) / 255f - mean[1]) / std[1];
            out[2 * plane + p] = ((v & 0xFF) / 255f - mean[2]) / std[2];
        }
        return out;
    }

    private BufferedImage resize(BufferedImage image) {
        BufferedImage out = new BufferedImage(imageSize, imageSize, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.drawImage(image, 0, 0, imageSize, imageSize, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
