package org.qformerlab.blip2.data;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;

/**
 * Draws a {@link Scene} as an RGB image with Java2D. Antialiasing is off, so every pixel is either
 * the background or exactly one object's colour, and the same scene always gives the same pixels.
 */
public final class SceneRenderer {

    /** The plain background, near-black: far from every {@link Colour}. */
    public static final int BACKGROUND = 0x181818;

    private SceneRenderer() {
    }

    /** Renders the scene as a {@code size x size} {@link BufferedImage#TYPE_INT_RGB} image. */
    public static BufferedImage render(Scene scene, int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + size);
        }
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(new Color(BACKGROUND));
            g.fillRect(0, 0, size, size);
            for (SceneObject o : scene.objects()) {
                g.setColor(new Color(o.colour().rgb()));
                g.fill(outline(o, size));
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    /** The object's outline in pixel coordinates, inside the square of half-side r around its centre. */
    private static java.awt.Shape outline(SceneObject o, int size) {
        double cx = o.x() * size;
        double cy = o.y() * size;
        double r = o.size().radius() * size;
        return switch (o.shape()) {
            case CIRCLE -> new Ellipse2D.Double(cx - r, cy - r, 2 * r, 2 * r);
            case SQUARE -> {
                double h = 0.85 * r; // a slightly smaller square has about the circle's area
                yield new Rectangle2D.Double(cx - h, cy - h, 2 * h, 2 * h);
            }
            case TRIANGLE -> polygon(cx, cy - r, cx + r, cy + r, cx - r, cy + r);
            case DIAMOND -> polygon(cx, cy - r, cx + r, cy, cx, cy + r, cx - r, cy);
            case CROSS -> {
                double t = 0.35 * r; // half the thickness of each bar
                Area cross = new Area(new Rectangle2D.Double(cx - r, cy - t, 2 * r, 2 * t));
                cross.add(new Area(new Rectangle2D.Double(cx - t, cy - r, 2 * t, 2 * r)));
                yield cross;
            }
        };
    }

    private static Path2D polygon(double... xy) {
        Path2D.Double path = new Path2D.Double();
        path.moveTo(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) {
            path.lineTo(xy[i], xy[i + 1]);
        }
        path.closePath();
        return path;
    }
}
