package org.qformerlab.blip2.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Turns images into the float tensors a vision encoder reads, and back.
 *
 * <p>Layout is CHW (channel, row, column), channels R, G, B. Normalisation is the same for every
 * channel: a byte value {@code v} becomes {@code (v / 255 - MEAN) / STD} with {@code MEAN = STD = 0.5},
 * so pixels lie in [-1, 1]. (The shapes world is synthetic, so ImageNet statistics would mean
 * nothing here; an encoder must see the same normalisation in pretraining and alignment.)
 */
public final class ImageTensors {

    /** Per-channel mean subtracted after scaling to [0, 1] (the same for R, G and B). */
    public static final float MEAN = 0.5f;
    /** Per-channel standard deviation divided by after subtracting {@link #MEAN}. */
    public static final float STD = 0.5f;

    private ImageTensors() {
    }

    /** The image as normalised CHW float32 values, length {@code 3 * height * width}. */
    public static float[] pixels(BufferedImage image) {
        float[] out = new float[3 * image.getHeight() * image.getWidth()];
        writePixels(image, out, 0);
        return out;
    }

    /**
     * Same-sized images as one normalised BCHW buffer, length {@code B * 3 * H * W}.
     *
     * @throws IllegalArgumentException if the images differ in size
     */
    public static float[] pixels(List<BufferedImage> images) {
        if (images.isEmpty()) {
            return new float[0];
        }
        int h = images.get(0).getHeight();
        int w = images.get(0).getWidth();
        int per = 3 * h * w;
        float[] out = new float[images.size() * per];
        for (int i = 0; i < images.size(); i++) {
            BufferedImage image = images.get(i);
            if (image.getHeight() != h || image.getWidth() != w) {
                throw new IllegalArgumentException("image " + i + " is " + image.getWidth() + "x" + image.getHeight()
                        + ", expected " + w + "x" + h + " like image 0");
            }
            writePixels(image, out, i * per);
        }
        return out;
    }

    /** The inverse of {@link #pixels(BufferedImage)}: CHW values back to an RGB image (clamped). */
    public static BufferedImage toImage(float[] chw, int height, int width) {
        int plane = height * width;
        if (chw.length != 3 * plane) {
            throw new IllegalArgumentException("expected " + 3 * plane + " values for 3x" + height + "x" + width + ", got " + chw.length);
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] rgb = new int[plane];
        for (int p = 0; p < plane; p++) {
            rgb[p] = (toByte(chw[p]) << 16) | (toByte(chw[plane + p]) << 8) | toByte(chw[2 * plane + p]);
        }
        image.setRGB(0, 0, width, height, rgb, 0, width);
        return image;
    }

    /**
     * The image scaled to {@code size x size} RGB with bilinear interpolation (aspect ratio not kept,
     * as in BLIP-2's evaluation transform); transparent pixels end up on black.
     */
    public static BufferedImage resize(BufferedImage image, int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive, got " + size);
        }
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, 0, 0, size, size, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    private static void writePixels(BufferedImage image, float[] out, int offset) {
        int h = image.getHeight();
        int w = image.getWidth();
        int plane = h * w;
        int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int p = 0; p < plane; p++) {
            int v = rgb[p];
            out[offset + p] = normalise((v >> 16) & 0xFF);
            out[offset + plane + p] = normalise((v >> 8) & 0xFF);
            out[offset + 2 * plane + p] = normalise(v & 0xFF);
        }
    }

    private static float normalise(int value) {
        return (value / 255f - MEAN) / STD;
    }

    private static int toByte(float normalised) {
        float v = (normalised * STD + MEAN) * 255f;
        return Math.max(0, Math.min(255, Math.round(v)));
    }
}
