package org.qformerlab.blip2.experiment;

import static org.qformerlab.blip2.config.ConfigException.require;

/**
 * The frozen image encoder of an experiment. Its features are computed once per (dataset, encoder)
 * and looked up every step: the encoder is frozen, so training runs the Q-Former only.
 *
 * @param type which encoder ({@link ImageEncoderType}); {@code PATCH_PIXELS} is the stand-in
 * @param patchSize side of one square patch in pixels; must divide the image size. With 64x64
 *     images, 16 gives 16 patches of width {@code 3*16*16 + 16 = 784}, 8 gives 64 of width 256
 */
public record ImageEncoderConfig(ImageEncoderType type, int patchSize) {

    public ImageEncoderConfig {
        String c = "ImageEncoderConfig.";
        require(type != null, c + "type must be one of " + java.util.Arrays.toString(ImageEncoderType.values()));
        require(patchSize > 0, c + "patchSize=" + patchSize + " must be positive");
    }

    /** Pixel patches of {@code patchSize x patchSize}. */
    public static ImageEncoderConfig patchPixels(int patchSize) {
        return new ImageEncoderConfig(ImageEncoderType.PATCH_PIXELS, patchSize);
    }
}
