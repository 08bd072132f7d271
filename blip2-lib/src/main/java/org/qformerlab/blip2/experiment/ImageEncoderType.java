package org.qformerlab.blip2.experiment;

/**
 * Which frozen image encoder turns the shapes world's images into the patch features the Q-Former
 * cross-attends to. {@link ImageEncoders} is the one place that maps a type to an implementation.
 */
public enum ImageEncoderType {
    /**
     * A ViT ({@code org.qformerlab.blip2.vision}) pretrained once on the images alone (masked
     * autoencoding, no captions) and cached; its second-to-last block's features, as BLIP-2 uses.
     */
    VIT,
    /**
     * No learned encoder: each image cut into square patches, each patch's pixels flattened, plus a
     * one-hot of the patch's place ({@link PatchPixels}). A baseline with the right shape, and the
     * cheapest way to show that alignment works.
     */
    PATCH_PIXELS
}
