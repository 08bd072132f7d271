package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.util.List;
import org.qformerlab.blip2.data.ImageTensors;
import org.qformerlab.blip2.data.Sample;

/**
 * The images of a list of samples, rendered once and kept as bytes (CHW, R G B), for pretraining,
 * which reads every image many times. A batch comes out normalised exactly as
 * {@link ImageTensors#pixels} normalises it: the 256 possible values are taken from ImageTensors
 * itself, so the encoder sees the same numbers in pretraining and in feature extraction.
 */
public final class PixelBank {

    private static final float[] NORMALISED = normalisedLevels();

    private final int size;
    private final byte[][] images;

    private PixelBank(int size, byte[][] images) {
        this.size = size;
        this.images = images;
    }

    /** Renders every sample's image; all must be {@code size x size}. */
    public static PixelBank render(List<Sample> samples, int size) {
        byte[][] images = new byte[samples.size()][];
        int plane = size * size;
        for (int i = 0; i < samples.size(); i++) {
            BufferedImage image = samples.get(i).image();
            if (image.getWidth() != size || image.getHeight() != size) {
                throw new IllegalArgumentException("sample " + samples.get(i).id() + " has a " + image.getWidth() + "x"
                        + image.getHeight() + " image but the encoder reads " + size + "x" + size
                        + ": build the world and the encoder with the same image size");
            }
            int[] rgb = image.getRGB(0, 0, size, size, null, 0, size);
            byte[] chw = new byte[3 * plane];
            for (int p = 0; p < plane; p++) {
                chw[p] = (byte) (rgb[p] >> 16);
                chw[plane + p] = (byte) (rgb[p] >> 8);
                chw[2 * plane + p] = (byte) rgb[p];
            }
            images[i] = chw;
        }
        return new PixelBank(size, images);
    }

    public int size() {
        return images.length;
    }

    /** Normalised pixels [n, 3, size, size] of the images at {@code rows}, created in {@code scope}. */
    public NDArray pixels(NDManager scope, int[] rows) {
        int per = 3 * size * size;
        float[] out = new float[rows.length * per];
        for (int r = 0; r < rows.length; r++) {
            byte[] chw = images[rows[r]];
            for (int k = 0; k < per; k++) {
                out[r * per + k] = NORMALISED[chw[k] & 0xFF];
            }
        }
        return scope.create(out, new Shape(rows.length, 3, size, size));
    }

    /** The normalised value of each byte level, computed by ImageTensors on a grey ramp. */
    private static float[] normalisedLevels() {
        BufferedImage ramp = new BufferedImage(256, 1, BufferedImage.TYPE_INT_RGB);
        for (int v = 0; v < 256; v++) {
            ramp.setRGB(v, 0, (v << 16) | (v << 8) | v);
        }
        float[] chw = ImageTensors.pixels(ramp);
        float[] levels = new float[256];
        System.arraycopy(chw, 0, levels, 0, 256); // the red plane
        return levels;
    }
}
