package org.qformerlab.blip2.report;

import java.awt.AlphaComposite;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/**
 * An image with one query's attention over its patches drawn on top: each patch cell tinted red in
 * proportion to its weight (the largest weight fully tinted, zero not at all). The patches tile the
 * image row by row in a square grid; a feature sequence one longer than a square (a ViT's, whose
 * first position is its {@code [CLS]} token and has no place on the image) drops its first weight.
 */
public final class AttentionOverlay {

    /** How opaque the tint of the most attended patch is. */
    static final float MAX_ALPHA = 0.75f;
    private static final Color TINT = new Color(0xD62728);

    private AttentionOverlay() {}

    /** The patch grid's side for {@code positions} feature positions, and whether the first is a [CLS]. */
    static int[] grid(int positions) {
        int side = (int) Math.round(Math.sqrt(positions));
        if (side * side == positions) {
            return new int[] {side, 0};
        }
        side = (int) Math.round(Math.sqrt(positions - 1));
        if (side * side == positions - 1) {
            return new int[] {side, 1};
        }
        throw new IllegalArgumentException(positions + " attention weights do not tile a square grid of patches"
                + " (with or without a leading [CLS])");
    }

    /** A copy of {@code image} with {@code weights} (one per feature position) drawn over it. */
    public static BufferedImage draw(BufferedImage image, float[] weights) {
        int[] g = grid(weights.length);
        int side = g[0];
        int offset = g[1];
        float max = 0;
        for (int i = offset; i < weights.length; i++) {
            max = Math.max(max, weights[i]);
        }
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g2 = out.createGraphics();
        try {
            g2.drawImage(image, 0, 0, null);
            g2.setColor(TINT);
            for (int r = 0; r < side; r++) {
                for (int c = 0; c < side; c++) {
                    float w = max > 0 ? weights[offset + r * side + c] / max : 0;
                    int x0 = c * image.getWidth() / side;
                    int y0 = r * image.getHeight() / side;
                    int x1 = (c + 1) * image.getWidth() / side;
                    int y1 = (r + 1) * image.getHeight() / side;
                    g2.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, MAX_ALPHA * w));
                    g2.fillRect(x0, y0, x1 - x0, y1 - y0);
                }
            }
        } finally {
            g2.dispose();
        }
        return out;
    }
}
