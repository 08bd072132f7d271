package org.qformerlab.blip2.experiment.config;

/**
 * Which frozen image encoder turns the shapes world's images into the patch features the Q-Former
 * cross-attends to. {@link org.qformerlab.blip2.experiment.ImageEncoders} is the one place that maps a type to an implementation.
 */
public enum ImageEncoderType {
    /**
     * A ViT ({@code org.qformerlab.blip2.vision}) pretrained on the world's training images alone
     * (masked autoencoding, no captions) and cached; its second-to-last block's features, as BLIP-2
     * uses. At the budget the embedded default affords, its features carry little of the scene.
     */
    VIT,
    /**
     * The embedded default: a ViT pretrained once, on a pool of images disjoint from the world's, to
     * name each object's colour, shape and size in each cell (supervised heads, as an ImageNet ViT
     * learns its classes; {@code org.qformerlab.blip2.vision.AttributePretraining}), shipped as a
     * committed file ({@code org.qformerlab.blip2.vision.ShippedEncoder}); its last block's features.
     */
    SUPERVISED_VIT,
    /**
     * No learned encoder: each image cut into square patches, each patch's pixels flattened, plus a
     * one-hot of the patch's place ({@link org.qformerlab.blip2.vision.PatchPixels}). A baseline with the right shape, and the
     * cheapest way to show that alignment works.
     */
    PATCH_PIXELS
}
