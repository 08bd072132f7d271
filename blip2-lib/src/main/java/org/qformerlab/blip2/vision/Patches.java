package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;

/**
 * Images as sequences of flattened patches and back: the pixel targets of masked-image modelling.
 * A patch is flattened in (channel, row, column) order, the order of a {@link PatchEmbedding}
 * weight [D, C, p, p]; patches run row-major over the grid, the order of the patch tokens.
 */
public final class Patches {

    private Patches() {}

    /** pixels [B, C, H, W] -> [B, P, C*p*p]. */
    public static NDArray patchify(NDArray pixels, int patchSize) {
        long b = pixels.getShape().get(0);
        long c = pixels.getShape().get(1);
        long g = pixels.getShape().get(2) / patchSize;
        return pixels.reshape(b, c, g, patchSize, g, patchSize) // b c gy py gx px
                .transpose(0, 2, 4, 1, 3, 5) // b gy gx c py px
                .reshape(b, g * g, c * patchSize * patchSize);
    }

    /** The inverse of {@link #patchify}: [B, P, C*p*p] -> [B, C, H, W]. */
    public static NDArray unpatchify(NDArray patches, int patchSize, int channels) {
        long b = patches.getShape().get(0);
        long g = Math.round(Math.sqrt(patches.getShape().get(1)));
        return patches.reshape(b, g, g, channels, patchSize, patchSize)
                .transpose(0, 3, 1, 4, 2, 5)
                .reshape(b, channels, g * patchSize, g * patchSize);
    }
}
