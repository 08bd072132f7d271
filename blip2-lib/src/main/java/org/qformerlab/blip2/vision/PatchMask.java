package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Which patches of each image the encoder sees in masked-image modelling: per image a random subset
 * of {@code kept} of its {@code patches} patches stays visible, the rest is masked. Drawn in Java from
 * a seeded stream (so a step's mask depends only on the seed and the step), then used as flat row
 * indices, which lets one gather serve the whole batch:
 *
 * <ul>
 *   <li>{@link #keepIndex}: rows {@code b*P + i} of the visible patches, [B*kept];
 *   <li>{@link #restoreIndex}: for every position of the full sequence, its row in
 *       [visible ; mask tokens] (both [B, ...] flattened), which undoes the shuffle for the decoder;
 *   <li>{@link #maskedWeights}: 1 where a patch is masked, [B, P] (the loss counts only those).
 * </ul>
 */
public record PatchMask(int batch, int patches, int kept, long[] keep, long[] restore, float[] masked) {

    /** Masks round({@code ratio * patches}) patches of each image (at least one kept, at least one masked). */
    public static PatchMask random(int batch, int patches, double ratio, SplittableRandom rng) {
        int kept = keptFor(patches, ratio);
        int hidden = patches - kept;
        long[] keep = new long[batch * kept];
        long[] restore = new long[batch * patches];
        float[] masked = new float[batch * patches];
        int[] order = new int[patches];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < patches; i++) {
                order[i] = i;
            }
            for (int i = patches - 1; i > 0; i--) { // Fisher-Yates
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            boolean[] visible = new boolean[patches];
            for (int r = 0; r < kept; r++) {
                visible[order[r]] = true;
            }
            int v = 0;
            int m = 0;
            for (int i = 0; i < patches; i++) { // visible patches in image order, then mask tokens
                if (visible[i]) {
                    keep[b * kept + v] = (long) b * patches + i;
                    restore[b * patches + i] = (long) b * kept + v++;
                } else {
                    restore[b * patches + i] = (long) batch * kept + (long) b * hidden + m++;
                    masked[b * patches + i] = 1f;
                }
            }
        }
        return new PatchMask(batch, patches, kept, keep, restore, masked);
    }

    /** How many of {@code patches} stay visible under {@code ratio}. */
    public static int keptFor(int patches, double ratio) {
        int hidden = (int) Math.round(ratio * patches);
        return Math.min(patches - 1, Math.max(1, patches - hidden));
    }

    public int hidden() {
        return patches - kept;
    }

    public NDArray keepIndex(NDManager scope) {
        return scope.create(keep);
    }

    public NDArray restoreIndex(NDManager scope) {
        return scope.create(restore);
    }

    public NDArray maskedWeights(NDManager scope) {
        return scope.create(masked, new Shape(batch, patches));
    }
}
