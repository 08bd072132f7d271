package org.qformerlab.blip2.experiment;

/**
 * Which frozen image encoder turns the shapes world's images into the patch features the Q-Former
 * cross-attends to. {@link ImageEncoders} is the one place that maps a type to an implementation.
 */
public enum ImageEncoderType {
    /**
     * No learned encoder: each image cut into square patches, each patch's pixels flattened, plus a
     * one-hot of the patch's place ({@link PatchPixels}). A stand-in with the right shape, good
     * enough to show that alignment works; a pretrained ViT gives the Q-Former better features.
     */
    PATCH_PIXELS
}
