package org.qformerlab.blip2.report;

import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;

/**
 * The key below a heatmap: either two swatches (allowed / blocked) for a mask, or a colour bar from
 * the minimum to the maximum value for a float matrix, with a swatch for non-finite cells if any.
 */
final class HeatmapLegend {

    private static final int SWATCH = 14;
    private static final int BAR_WIDTH = 160;
    private static final int BAR_HEIGHT = 12;
    private static final int SPACING = 16;

    private final FontMetrics metrics = Fonts.metrics(Fonts.LABEL);
    private final String allowedLabel;
    private final String blockedLabel;
    private final double min;
    private final double max;
    private final boolean isMask;

    private HeatmapLegend(boolean isMask, String allowedLabel, String blockedLabel, double min, double max) {
        this.isMask = isMask;
        this.allowedLabel = allowedLabel;
        this.blockedLabel = blockedLabel;
        this.min = min;
        this.max = max;
    }

    /** Swatches for a boolean mask. */
    static HeatmapLegend forMask(String allowedLabel, String blockedLabel) {
        return new HeatmapLegend(true, allowedLabel, blockedLabel, 0, 0);
    }

    /** A colour bar over [min, max], plus a swatch labelled {@code blockedLabel} when non-null. */
    static HeatmapLegend forScale(double min, double max, String blockedLabel) {
        return new HeatmapLegend(false, null, blockedLabel, min, max);
    }

    int width() {
        int blocked = blockedLabel == null ? 0 : swatchWidth(blockedLabel);
        if (isMask) {
            return swatchWidth(allowedLabel) + SPACING + blocked;
        }
        return BAR_WIDTH + (blocked == 0 ? 0 : SPACING + blocked);
    }

    int height() {
        int swatchRow = Math.max(SWATCH, Fonts.lineHeight(metrics));
        return isMask ? swatchRow : Math.max(swatchRow, BAR_HEIGHT + 2 + Fonts.lineHeight(metrics));
    }

    void paint(Graphics2D g, int x, int y) {
        g.setFont(Fonts.LABEL);
        int next;
        if (isMask) {
            next = paintSwatch(g, x, y, Heatmap.ALLOWED, allowedLabel) + SPACING;
        } else {
            next = paintBar(g, x, y) + SPACING;
        }
        if (blockedLabel != null) {
            paintSwatch(g, next, y, Heatmap.BLOCKED, blockedLabel);
        }
    }

    private int swatchWidth(String label) {
        return SWATCH + HeatmapLayout.LABEL_GAP + metrics.stringWidth(label);
    }

    private int paintSwatch(Graphics2D g, int x, int y, Color color, String label) {
        g.setColor(color);
        g.fillRect(x, y, SWATCH, SWATCH);
        g.setColor(Color.DARK_GRAY);
        g.drawRect(x, y, SWATCH - 1, SWATCH - 1);
        int baseline = y + (SWATCH + metrics.getAscent() - metrics.getDescent()) / 2;
        g.drawString(label, x + SWATCH + HeatmapLayout.LABEL_GAP, baseline);
        return x + swatchWidth(label);
    }

    private int paintBar(Graphics2D g, int x, int y) {
        for (int i = 0; i < BAR_WIDTH; i++) {
            g.setColor(ColorScale.at(i / (double) (BAR_WIDTH - 1)));
            g.fillRect(x + i, y, 1, BAR_HEIGHT);
        }
        g.setColor(Color.DARK_GRAY);
        int baseline = y + BAR_HEIGHT + 2 + metrics.getAscent();
        g.drawString(NumberText.format(min), x, baseline);
        String maxText = NumberText.format(max);
        g.drawString(maxText, x + BAR_WIDTH - metrics.stringWidth(maxText), baseline);
        return x + BAR_WIDTH;
    }
}
