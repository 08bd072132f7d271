package org.qformerlab.blip2.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageGridTest {

    /** A 2x2 image: red, green / blue, white. */
    static BufferedImage quadrants() {
        BufferedImage image = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, Color.RED.getRGB());
        image.setRGB(1, 0, Color.GREEN.getRGB());
        image.setRGB(0, 1, Color.BLUE.getRGB());
        image.setRGB(1, 1, Color.WHITE.getRGB());
        return image;
    }

    @Test
    void gridWithoutCaptionsHasTheDocumentedSize() {
        List<BufferedImage> images = List.of(quadrants(), quadrants(), quadrants());
        BufferedImage grid = ImageGrid.of(images).columns(2).cellSize(64).padding(4).render();
        assertEquals(2 * 64 + 3 * 4, grid.getWidth());
        assertEquals(2 * 64 + 3 * 4, grid.getHeight(), "3 images in 2 columns make 2 rows");
    }

    @Test
    void captionsAddTheSameBandUnderEveryRow() {
        List<BufferedImage> images = List.of(quadrants(), quadrants(), quadrants());
        BufferedImage grid = ImageGrid.compose(images,
                List.of("a red square", "two circles left of a triangle", "x"), 3, 64);
        FontMetrics metrics = Fonts.metrics(Fonts.LABEL);
        int lines = TextWrap.wrap("two circles left of a triangle", metrics, 64, 4).size();

        assertTrue(lines >= 2, "the long caption wraps");
        assertEquals(3 * 64 + 4 * 8, grid.getWidth());
        assertEquals(64 + 4 + lines * Fonts.lineHeight(metrics) + 2 * 8, grid.getHeight());
    }

    @Test
    void imagesAreUpscaledWithNearestNeighbour() {
        BufferedImage grid = ImageGrid.of(List.of(quadrants())).cellSize(64).padding(0).render();
        assertEquals(Color.RED.getRGB(), grid.getRGB(1, 1));
        assertEquals(Color.RED.getRGB(), grid.getRGB(31, 31));
        assertEquals(Color.GREEN.getRGB(), grid.getRGB(32, 0));
        assertEquals(Color.BLUE.getRGB(), grid.getRGB(0, 63));
        assertEquals(Color.WHITE.getRGB(), grid.getRGB(63, 63));
    }

    @Test
    void wideImagesKeepTheirAspectRatio() {
        BufferedImage wide = new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB);
        BufferedImage grid = ImageGrid.of(List.of(wide)).cellSize(40).padding(0).render();
        assertEquals(Color.WHITE.getRGB(), grid.getRGB(20, 2), "letterbox above the image");
        assertEquals(Color.BLACK.getRGB(), grid.getRGB(20, 20), "the image in the middle");
    }

    @Test
    void longCaptionsAreCutWithAnEllipsis() {
        FontMetrics metrics = Fonts.metrics(Fonts.LABEL);
        List<String> lines = TextWrap.wrap("a a a a a a a a a a a a a a a a a a a a a a a a", metrics, 20, 2);
        assertEquals(2, lines.size());
        assertTrue(lines.get(1).endsWith(TextWrap.ELLIPSIS));
        List<String> broken = TextWrap.wrap("supercalifragilistic", metrics, 30, 10);
        assertTrue(broken.size() > 1, "a word wider than the cell is split");
        assertEquals("supercalifragilistic", String.join("", broken));
    }

    @Test
    void captionCountMustMatch() {
        assertThrows(IllegalArgumentException.class,
                () -> ImageGrid.of(List.of(quadrants())).captions(List.of("a", "b")));
    }
}
