package org.qformerlab.blip2.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeatmapTest {

    /** The ITG mask over [q queries ; t text]: queries see queries, text sees queries and earlier text. */
    static boolean[][] itgMask(int q, int t) {
        boolean[][] mask = new boolean[q + t][q + t];
        for (int i = 0; i < q + t; i++) {
            for (int j = 0; j < q + t; j++) {
                mask[i][j] = i < q ? j < q : j < q || j <= i;
            }
        }
        return mask;
    }

    static Color centre(BufferedImage image, Rectangle cell) {
        return new Color(image.getRGB(cell.x + cell.width / 2, cell.y + cell.height / 2));
    }

    @Test
    void allowedAndBlockedCellsHaveTheirColours() {
        Heatmap heatmap = Heatmap.ofMask(itgMask(2, 3)).title("ITG").labels(Heatmap.queryTextLabels(2, 3));
        BufferedImage image = heatmap.render();

        assertEquals(Heatmap.ALLOWED, centre(image, heatmap.cellBounds(0, 1)), "query sees query");
        assertEquals(Heatmap.BLOCKED, centre(image, heatmap.cellBounds(0, 2)), "query does not see text");
        assertEquals(Heatmap.ALLOWED, centre(image, heatmap.cellBounds(3, 3)), "text sees itself");
        assertEquals(Heatmap.BLOCKED, centre(image, heatmap.cellBounds(2, 4)), "text does not see the future");
        assertNotEquals(Heatmap.ALLOWED, Heatmap.BLOCKED);
    }

    @Test
    void flatMaskMatchesTheNestedOne() {
        boolean[][] mask = itgMask(2, 2);
        boolean[] flat = new boolean[16];
        for (int i = 0; i < 4; i++) {
            System.arraycopy(mask[i], 0, flat, i * 4, 4);
        }
        BufferedImage nested = Heatmap.ofMask(mask).render();
        BufferedImage fromFlat = Heatmap.ofMask(flat, 4, 4).render();
        assertArrayEquals(pixels(nested), pixels(fromFlat));
    }

    @Test
    void valuesRunFromLowToHighColourAndNonFiniteIsBlocked() {
        float[][] scores = {{0f, 0.5f}, {1f, Float.NEGATIVE_INFINITY}};
        Heatmap heatmap = Heatmap.ofValues(scores);
        BufferedImage image = heatmap.render();

        assertEquals(ColorScale.at(0.0), centre(image, heatmap.cellBounds(0, 0)));
        assertEquals(ColorScale.at(1.0), centre(image, heatmap.cellBounds(1, 0)));
        assertEquals(ColorScale.at(0.5), centre(image, heatmap.cellBounds(0, 1)));
        assertEquals(Heatmap.BLOCKED, centre(image, heatmap.cellBounds(1, 1)));
    }

    @Test
    void largeMatricesStayLegibleByThinningLabels() {
        boolean[][] mask = itgMask(32, 8);
        List<String> labels = Heatmap.queryTextLabels(32, 8);
        Heatmap heatmap = Heatmap.ofMask(mask).labels(labels).title("40 x 40");
        BufferedImage image = heatmap.render();

        HeatmapLayout layout = new HeatmapLayout(40, 40, heatmap.cellBounds(0, 0).width, labels, labels,
                "40 x 40", 0, 0);
        int lineHeight = Fonts.lineHeight(Fonts.metrics(Fonts.LABEL));
        assertTrue(layout.rowLabelStep * layout.cell >= lineHeight, "row labels do not overlap");
        assertTrue(layout.columnLabelStep * layout.cell >= lineHeight, "column labels do not overlap");
        assertTrue(layout.rowLabelStep > 1, "40 rows at the default size need thinning");
        assertTrue(image.getWidth() < 1000 && image.getHeight() < 1000);
        assertEquals(Heatmap.ALLOWED, centre(image, heatmap.cellBounds(39, 0)));
        assertEquals(Heatmap.BLOCKED, centre(image, heatmap.cellBounds(0, 39)));
    }

    @Test
    void smallMatricesLabelEveryRowAndColumn() {
        List<String> labels = Heatmap.labels("q", 4);
        HeatmapLayout layout = new HeatmapLayout(4, 4, 32, labels, labels, "", 0, 0);
        assertEquals(1, layout.rowLabelStep);
        assertEquals(1, layout.columnLabelStep);
        assertEquals(false, layout.verticalColumnLabels);
    }

    @Test
    void labelHelpersNumberFromZero() {
        assertEquals(List.of("t0", "t1", "t2"), Heatmap.labels("t", 3));
        assertEquals(List.of("q0", "q1", "t0"), Heatmap.queryTextLabels(2, 1));
    }

    @Test
    void badShapesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Heatmap.ofMask(new boolean[][] {{true}, {true, false}}));
        assertThrows(IllegalArgumentException.class, () -> Heatmap.ofMask(new boolean[5], 2, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Heatmap.ofMask(itgMask(1, 1)).rowLabels(List.of("a")));
        assertTrue(e.getMessage().contains("1 row labels for 2 rows"), e.getMessage());
    }

    @Test
    void savesAPng(@TempDir Path dir) throws IOException {
        BufferedImage image = Heatmap.ofMask(itgMask(2, 2)).render();
        Path file = dir.resolve("masks/itg.png");
        Heatmap.save(image, file);
        byte[] png = Files.readAllBytes(file);
        assertArrayEquals(ChartsTest.PNG_MAGIC, Arrays.copyOf(png, 8));
        assertArrayEquals(png, Heatmap.toPng(image));
    }

    private static int[] pixels(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }
}
