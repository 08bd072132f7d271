package org.qformerlab.blip2.report;

import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** The fonts of the hand-drawn figures (heatmaps, image grids) and how to measure text before drawing. */
final class Fonts {

    static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15);

    private Fonts() {
    }

    /** Metrics of {@code font} as an antialiased image graphics would draw it. */
    static FontMetrics metrics(Font font) {
        Headless.ensure();
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            antialias(g);
            return g.getFontMetrics(font);
        } finally {
            g.dispose();
        }
    }

    /** Turns on antialiasing for text and shapes. */
    static void antialias(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
    }

    /** The height of one line of text: ascent plus descent. */
    static int lineHeight(FontMetrics metrics) {
        return metrics.getAscent() + metrics.getDescent();
    }
}
