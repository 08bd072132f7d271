package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.data.ImageTensors;
import org.qformerlab.blip2.data.Sample;

/**
 * The simplest "frozen image encoder": the image cut into {@code p x p} patches in reading order,
 * each patch's normalised pixels flattened (channel, row, column: {@code 3*p*p} values), followed by
 * a one-hot of the patch's index. The one-hot plays the part of a ViT's learned position
 * embedding: after the Q-Former's key/value projections it becomes a learned vector per place, so
 * the queries can tell "top left" from "bottom right". Feature width {@code 3*p*p + P} for P
 * patches.
 *
 * <p>Features of every sample are computed once, when this is built, and kept in one array
 * {@code [N, P, width]}; {@link #get} gathers rows into the caller's scope.
 */
public final class PatchPixels implements ImageFeatures, AutoCloseable {

    private final NDManager manager;
    private final NDArray features;
    private final Map<Integer, Integer> rowOfId = new HashMap<>();
    private final int width;

    private PatchPixels(NDManager manager, NDArray features, List<Sample> samples) {
        this.manager = manager;
        this.features = features;
        this.width = (int) features.getShape().get(2);
        for (int i = 0; i < samples.size(); i++) {
            if (rowOfId.put(samples.get(i).id(), i) != null) {
                throw new IllegalArgumentException("sample id " + samples.get(i).id() + " appears twice");
            }
        }
    }

    /**
     * Renders every sample's image and computes its patch features.
     *
     * @param parent the features live in a sub-manager of it, freed by {@link #close()}
     * @throws IllegalArgumentException if an image's side is not a multiple of {@code patchSize} or
     *     the images differ in size
     */
    public static PatchPixels compute(List<Sample> samples, int patchSize, NDManager parent) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples to compute patch features for");
        }
        BufferedImage first = samples.get(0).image();
        int side = first.getWidth();
        if (first.getHeight() != side || side % patchSize != 0) {
            throw new IllegalArgumentException("images are " + first.getWidth() + "x" + first.getHeight()
                    + "; patch features need square images whose side is a multiple of patchSize=" + patchSize);
        }
        int perSide = side / patchSize;
        int patches = perSide * perSide;
        int width = 3 * patchSize * patchSize + patches;
        float[] all = new float[samples.size() * patches * width];
        for (int n = 0; n < samples.size(); n++) {
            BufferedImage image = n == 0 ? first : samples.get(n).image();
            if (image.getWidth() != side || image.getHeight() != side) {
                throw new IllegalArgumentException("sample " + samples.get(n).id() + " is " + image.getWidth() + "x"
                        + image.getHeight() + ", expected " + side + "x" + side + " like the first");
            }
            patchify(ImageTensors.pixels(image), side, patchSize, all, n * patches * width);
        }
        NDManager manager = parent.newSubManager();
        NDArray features = manager.create(all, new Shape(samples.size(), patches, width));
        return new PatchPixels(manager, features, samples);
    }

    /**
     * Writes the patch features of one CHW image into {@code out} from {@code offset}: for patch
     * {@code (r, c)} (index {@code r * perSide + c}) its {@code 3*p*p} pixels, then a one-hot.
     */
    static void patchify(float[] chw, int side, int p, float[] out, int offset) {
        int perSide = side / p;
        int patches = perSide * perSide;
        int width = 3 * p * p + patches;
        int plane = side * side;
        for (int r = 0; r < perSide; r++) {
            for (int c = 0; c < perSide; c++) {
                int patch = r * perSide + c;
                int o = offset + patch * width;
                for (int ch = 0; ch < 3; ch++) {
                    for (int y = 0; y < p; y++) {
                        System.arraycopy(chw, ch * plane + (r * p + y) * side + c * p, out, o, p);
                        o += p;
                    }
                }
                out[o + patch] = 1f;
            }
        }
    }

    @Override
    public NDArray get(NDManager scope, int[] sampleIds) {
        long[] rows = new long[sampleIds.length];
        for (int i = 0; i < rows.length; i++) {
            Integer row = rowOfId.get(sampleIds[i]);
            if (row == null) {
                throw new IllegalArgumentException("no image features for sample id " + sampleIds[i]
                        + ": it is not in the dataset these features were computed for");
            }
            rows[i] = row;
        }
        NDArray index = scope.create(rows);
        NDArray out = features.get(index);
        out.attach(scope);
        return out;
    }

    @Override
    public int width() {
        return width;
    }

    /** Number of patches per image. */
    public int patches() {
        return (int) features.getShape().get(1);
    }

    @Override
    public void close() {
        manager.close();
    }
}
