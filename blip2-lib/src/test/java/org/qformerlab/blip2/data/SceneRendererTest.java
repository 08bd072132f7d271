package org.qformerlab.blip2.data;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.qformerlab.blip2.data.SceneTest.at;

class SceneRendererTest {

    private final Scene scene = new Scene(List.of(
            at(Position.TOP_LEFT, Size.LARGE, Colour.RED, ShapeType.CIRCLE),
            at(Position.CENTRE, Size.SMALL, Colour.BLUE, ShapeType.TRIANGLE),
            at(Position.BOTTOM_RIGHT, Size.LARGE, Colour.YELLOW, ShapeType.CROSS),
            at(Position.TOP_RIGHT, Size.SMALL, Colour.GREEN, ShapeType.DIAMOND),
            at(Position.BOTTOM_LEFT, Size.SMALL, Colour.PURPLE, ShapeType.SQUARE)));

    @Test
    void everyPixelIsBackgroundOrAnObjectColour() {
        BufferedImage image = SceneRenderer.render(scene, 64);
        assertEquals(64, image.getWidth());
        assertEquals(64, image.getHeight());
        Set<Integer> expected = new HashSet<>(List.of(SceneRenderer.BACKGROUND));
        scene.objects().forEach(o -> expected.add(o.colour().rgb()));
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                seen.add(image.getRGB(x, y) & 0xFFFFFF);
            }
        }
        assertEquals(expected, seen);
    }

    @Test
    void eachObjectCoversItsCentreAndStaysInItsCell() {
        int size = 96;
        BufferedImage image = SceneRenderer.render(scene, size);
        for (SceneObject o : scene.objects()) {
            int cx = (int) (o.x() * size);
            int cy = (int) (o.y() * size);
            assertEquals(o.colour().rgb(), image.getRGB(cx, cy) & 0xFFFFFF, o.description());
        }
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = image.getRGB(x, y) & 0xFFFFFF;
                if (rgb != SceneRenderer.BACKGROUND) {
                    Position cell = Position.of((x + 0.5) / size, (y + 0.5) / size);
                    SceneObject owner = scene.objects().stream().filter(o -> o.position() == cell).findFirst().orElseThrow();
                    assertEquals(owner.colour().rgb(), rgb, "pixel (" + x + ", " + y + ") belongs to " + cell);
                }
            }
        }
    }

    @Test
    void renderingIsDeterministic() {
        BufferedImage a = SceneRenderer.render(scene, 64);
        BufferedImage b = SceneRenderer.render(scene, 64);
        assertArrayEquals(a.getRGB(0, 0, 64, 64, null, 0, 64), b.getRGB(0, 0, 64, 64, null, 0, 64));
    }

    @Test
    void largeObjectsCoverMorePixelsThanSmallOnes() {
        Scene big = new Scene(List.of(at(Position.CENTRE, Size.LARGE, Colour.RED, ShapeType.SQUARE)));
        Scene small = new Scene(List.of(at(Position.CENTRE, Size.SMALL, Colour.RED, ShapeType.SQUARE)));
        assertEquals(true, covered(SceneRenderer.render(big, 64)) > 2 * covered(SceneRenderer.render(small, 64)));
    }

    private static int covered(BufferedImage image) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                n += (image.getRGB(x, y) & 0xFFFFFF) != SceneRenderer.BACKGROUND ? 1 : 0;
            }
        }
        return n;
    }
}
