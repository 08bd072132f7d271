package org.qformerlab.blip2.data;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ImageTensorsTest {

    @Test
    void pixelsAreChwAndScaledToMinusOneOne() {
        BufferedImage image = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0xFF0000);   // red at row 0, column 0
        image.setRGB(2, 1, 0x00FF80);   // green + half blue at row 1, column 2
        float[] chw = ImageTensors.pixels(image);
        assertEquals(3 * 2 * 3, chw.length);
        int plane = 6;
        assertEquals(1f, chw[0], 1e-6);                       // R of (0,0)
        assertEquals(-1f, chw[plane], 1e-6);                  // G of (0,0)
        assertEquals(-1f, chw[2 * plane], 1e-6);              // B of (0,0)
        int last = 1 * 3 + 2;
        assertEquals(-1f, chw[last], 1e-6);                   // R of (1,2)
        assertEquals(1f, chw[plane + last], 1e-6);            // G of (1,2)
        assertEquals((128 / 255f - 0.5f) / 0.5f, chw[2 * plane + last], 1e-6);
        assertEquals(-1f, chw[1], 1e-6);                      // black pixel
    }

    @Test
    void batchIsTheConcatenationOfImages() {
        BufferedImage a = SceneRenderer.render(new Scene(List.of(SceneTest.at(Position.CENTRE, Size.LARGE, Colour.RED, ShapeType.CIRCLE))), 32);
        BufferedImage b = SceneRenderer.render(new Scene(List.of(SceneTest.at(Position.TOP, Size.SMALL, Colour.BLUE, ShapeType.CROSS))), 32);
        float[] batch = ImageTensors.pixels(List.of(a, b));
        float[] pa = ImageTensors.pixels(a);
        float[] pb = ImageTensors.pixels(b);
        assertEquals(pa.length + pb.length, batch.length);
        assertArrayEquals(pa, java.util.Arrays.copyOfRange(batch, 0, pa.length));
        assertArrayEquals(pb, java.util.Arrays.copyOfRange(batch, pa.length, batch.length));
        BufferedImage other = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageTensors.pixels(List.of(a, other)));
        assertEquals("image 1 is 16x16, expected 32x32 like image 0", e.getMessage());
    }

    @Test
    void toImageInvertsPixels() {
        BufferedImage image = SceneRenderer.render(new Scene(List.of(
                SceneTest.at(Position.CENTRE, Size.LARGE, Colour.PURPLE, ShapeType.DIAMOND))), 40);
        BufferedImage back = ImageTensors.toImage(ImageTensors.pixels(image), 40, 40);
        assertArrayEquals(ShapesWorldTest.rgb(image), ShapesWorldTest.rgb(back));
    }

    @Test
    void resizeGivesASquareRgbImage() {
        BufferedImage wide = new BufferedImage(40, 20, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 40; x++) {
                wide.setRGB(x, y, 0xFF00FF00);
            }
        }
        BufferedImage small = ImageTensors.resize(wide, 8);
        assertEquals(8, small.getWidth());
        assertEquals(8, small.getHeight());
        assertEquals(BufferedImage.TYPE_INT_RGB, small.getType());
        assertEquals(0x00FF00, small.getRGB(4, 4) & 0xFFFFFF);
    }
}
