package org.qformerlab.blip2.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.Color;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class AttentionOverlayTest {

    @Test
    void patchesTileASquareGridWithOrWithoutALeadingCls() {
        assertArrayEquals(new int[] {4, 0}, AttentionOverlay.grid(16));
        assertArrayEquals(new int[] {4, 1}, AttentionOverlay.grid(17));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AttentionOverlay.grid(11));
        assertEquals("11 attention weights do not tile a square grid of patches (with or without a leading [CLS])",
                e.getMessage());
    }

    /** All weight on the top-left of 2x2 patches: that quarter is tinted fully, the others not at all. */
    @Test
    void tintsEachPatchInProportionToItsWeight() {
        BufferedImage white = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                white.setRGB(x, y, 0xFFFFFF);
            }
        }
        BufferedImage out = AttentionOverlay.draw(white, new float[] {0.9f, 0f, 0.1f, 0f});
        Color topLeft = new Color(out.getRGB(1, 1));
        Color topRight = new Color(out.getRGB(6, 1));
        Color bottomLeft = new Color(out.getRGB(1, 6));
        assertEquals(0xFFFFFF, topRight.getRGB() & 0xFFFFFF, "an unattended patch stays as it was");
        // white under 0.75 of the tint (0xD62728)
        assertEquals(0.25 * 255 + 0.75 * 0xD6, topLeft.getRed(), 2);
        assertEquals(0.25 * 255 + 0.75 * 0x27, topLeft.getGreen(), 2);
        // a ninth of the largest weight: a ninth of the tint
        double alpha = AttentionOverlay.MAX_ALPHA / 9;
        assertEquals((1 - alpha) * 255 + alpha * 0x27, bottomLeft.getGreen(), 2);
        assertEquals(0xFFFFFF, white.getRGB(1, 1) & 0xFFFFFF, "the input image is not drawn on");
    }
}
