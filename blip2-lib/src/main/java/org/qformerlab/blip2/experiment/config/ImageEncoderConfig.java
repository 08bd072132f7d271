package org.qformerlab.blip2.experiment.config;

import static org.qformerlab.blip2.config.ConfigException.require;

import org.qformerlab.blip2.vision.AttributePretrainConfig;
import org.qformerlab.blip2.vision.VisionConfig;
import org.qformerlab.blip2.vision.VisionPretrainConfig;

/**
 * The frozen image encoder of an experiment. Its features are computed once per (dataset, encoder)
 * and looked up every step: the encoder is frozen, so training runs the Q-Former only.
 *
 * @param type which encoder ({@link ImageEncoderType}): {@code SUPERVISED_VIT}, the shipped ViT
 *     pretrained on images alone to read every object's attributes (the preset); {@code VIT}, a ViT
 *     pretrained as a masked autoencoder on the world's training images; or {@code PATCH_PIXELS}, a
 *     stand-in without a learned encoder
 * @param patchSize {@code PATCH_PIXELS} only: side of one square patch in pixels; must divide the
 *     image size. With 64x64 images, 16 gives 16 patches of width {@code 3*16*16 + 16 = 784}
 * @param vit {@code VIT} and {@code SUPERVISED_VIT}: the encoder's shape ({@link VisionConfig}; its
 *     imageSize must equal {@code data.imageSize}); absent = {@link VisionConfig#embedded()}
 * @param pretraining {@code VIT} only: its unimodal (image-only) pretraining
 *     ({@link VisionPretrainConfig}); absent = {@link VisionPretrainConfig#embedded()}. The
 *     pretrained encoder is cached, keyed by (vit, pretraining, data), and reused by later runs
 * @param supervised {@code SUPERVISED_VIT} only: its image-only pretraining
 *     ({@link AttributePretrainConfig}); absent = {@link AttributePretrainConfig#embedded()}. With
 *     {@link VisionConfig#supervised()} this is the shipped encoder, loaded from the repository; any
 *     other (vit, supervised) pair is pretrained once (minutes) and cached
 */
public record ImageEncoderConfig(
        ImageEncoderType type, int patchSize, VisionConfig vit, VisionPretrainConfig pretraining,
        AttributePretrainConfig supervised) {

    public ImageEncoderConfig {
        String c = "ImageEncoderConfig.";
        require(type != null, c + "type must be one of " + java.util.Arrays.toString(ImageEncoderType.values()));
        require(patchSize > 0, c + "patchSize=" + patchSize + " must be positive");
        vit = vit == null ? VisionConfig.embedded() : vit;
        pretraining = pretraining == null ? VisionPretrainConfig.embedded() : pretraining;
        supervised = supervised == null ? AttributePretrainConfig.embedded() : supervised;
    }

    /** Pixel patches of {@code patchSize x patchSize}. */
    public static ImageEncoderConfig patchPixels(int patchSize) {
        return new ImageEncoderConfig(ImageEncoderType.PATCH_PIXELS, patchSize, null, null, null);
    }

    /** The ViT pretrained on the images alone. */
    public static ImageEncoderConfig vit(VisionConfig vit, VisionPretrainConfig pretraining) {
        return new ImageEncoderConfig(ImageEncoderType.VIT, vit.patchSize(), vit, pretraining, null);
    }

    /** The shipped encoder: {@link VisionConfig#supervised()} pretrained by {@link AttributePretrainConfig#embedded()}. */
    public static ImageEncoderConfig supervisedVit() {
        return supervisedVit(VisionConfig.supervised(), AttributePretrainConfig.embedded());
    }

    /** A ViT of shape {@code vit} pretrained with attribute heads by {@code recipe}. */
    public static ImageEncoderConfig supervisedVit(VisionConfig vit, AttributePretrainConfig recipe) {
        return new ImageEncoderConfig(ImageEncoderType.SUPERVISED_VIT, vit.patchSize(), vit, null, recipe);
    }

    /** Whether the features come from a ViT (with a class token in front of its patches). */
    public boolean usesVit() {
        return type != ImageEncoderType.PATCH_PIXELS;
    }

    /** Name of the encoder in reports: {@code "supervised vit"}, {@code "vit"} or {@code "patch pixels"}. */
    public String displayName() {
        return type.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    /** Side of the square images this encoder reads, or -1 when any size whose side {@code patchSize} divides will do. */
    public int requiredImageSize() {
        return usesVit() ? vit.imageSize() : -1;
    }

    /** This config with {@code type} replaced. */
    public ImageEncoderConfig withType(ImageEncoderType type) {
        return toBuilder().type(type).build();
    }

    /** This config with {@code patchSize} replaced. */
    public ImageEncoderConfig withPatchSize(int patchSize) {
        return toBuilder().patchSize(patchSize).build();
    }

    /** This config with {@code vit} replaced. */
    public ImageEncoderConfig withVit(VisionConfig vit) {
        return toBuilder().vit(vit).build();
    }

    /** This config with {@code pretraining} replaced. */
    public ImageEncoderConfig withPretraining(VisionPretrainConfig pretraining) {
        return toBuilder().pretraining(pretraining).build();
    }

    /** This config with {@code supervised} replaced. */
    public ImageEncoderConfig withSupervised(AttributePretrainConfig supervised) {
        return toBuilder().supervised(supervised).build();
    }

    /** A builder starting from this config: name the fields that change, then {@link Builder#build}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Named construction of a {@link ImageEncoderConfig}: starts from a config, every field has a setter, and the
     * record validates once, in {@link #build} (so fields that must agree can change together).
     */
    public static final class Builder {
        private ImageEncoderType type;
        private int patchSize;
        private VisionConfig vit;
        private VisionPretrainConfig pretraining;
        private AttributePretrainConfig supervised;

        private Builder(ImageEncoderConfig c) {
            this.type = c.type();
            this.patchSize = c.patchSize();
            this.vit = c.vit();
            this.pretraining = c.pretraining();
            this.supervised = c.supervised();
        }

        public Builder type(ImageEncoderType type) {
            this.type = type;
            return this;
        }

        public Builder patchSize(int patchSize) {
            this.patchSize = patchSize;
            return this;
        }

        public Builder vit(VisionConfig vit) {
            this.vit = vit;
            return this;
        }

        public Builder pretraining(VisionPretrainConfig pretraining) {
            this.pretraining = pretraining;
            return this;
        }

        public Builder supervised(AttributePretrainConfig supervised) {
            this.supervised = supervised;
            return this;
        }

        public ImageEncoderConfig build() {
            return new ImageEncoderConfig(type, patchSize, vit, pretraining, supervised);
        }
    }
}
