package org.qformerlab.blip2.report;

import java.awt.FontMetrics;
import java.awt.Rectangle;
import java.util.List;

/**
 * Where each part of a heatmap goes: title on top, column labels above the grid, row labels to its
 * left, legend below. Labels that would overlap are thinned to every k-th one; column labels turn
 * vertical when they are wider than a cell.
 */
final class HeatmapLayout {

    static final int MARGIN = 12;
    static final int LABEL_GAP = 4;
    private static final int AUTO_GRID_PIXELS = 480;
    private static final int MIN_AUTO_CELL = 6;
    private static final int MAX_AUTO_CELL = 32;

    final int rows;
    final int columns;
    final int cell;
    final int gridX;
    final int gridY;
    final int rowLabelStep;
    final int columnLabelStep;
    final boolean verticalColumnLabels;
    final int titleBaseline;
    final int legendX;
    final int legendY;
    final int width;
    final int height;

    HeatmapLayout(int rows, int columns, int cell, List<String> rowLabels, List<String> columnLabels,
            String title, int legendWidth, int legendHeight) {
        this.rows = rows;
        this.columns = columns;
        this.cell = cell;
        FontMetrics labels = Fonts.metrics(Fonts.LABEL);
        FontMetrics titles = Fonts.metrics(Fonts.TITLE);
        int lineHeight = Fonts.lineHeight(labels);
        int widestColumnLabel = widest(labels, columnLabels);

        verticalColumnLabels = widestColumnLabel + LABEL_GAP > cell;
        columnLabelStep = verticalColumnLabels ? stepFor(lineHeight, cell) : 1;
        rowLabelStep = stepFor(lineHeight, cell);

        int titleHeight = title.isEmpty() ? 0 : Fonts.lineHeight(titles) + MARGIN;
        int columnBand = columnLabels.isEmpty() ? 0
                : (verticalColumnLabels ? widestColumnLabel : lineHeight) + LABEL_GAP;
        int rowBand = rowLabels.isEmpty() ? 0 : widest(labels, rowLabels) + LABEL_GAP;

        titleBaseline = MARGIN + titles.getAscent();
        gridX = MARGIN + rowBand;
        gridY = MARGIN + titleHeight + columnBand;
        legendX = MARGIN;
        legendY = gridY + rows * cell + MARGIN;
        int titleWidth = title.isEmpty() ? 0 : titles.stringWidth(title);
        width = max(gridX + columns * cell, MARGIN + legendWidth, MARGIN + titleWidth) + MARGIN;
        height = legendY + legendHeight + MARGIN;
    }

    /** A cell size that keeps the grid near 480 pixels: between 6 and 32 pixels per cell. */
    static int autoCellSize(int rows, int columns) {
        int fit = AUTO_GRID_PIXELS / Math.max(1, Math.max(rows, columns));
        return Math.max(MIN_AUTO_CELL, Math.min(MAX_AUTO_CELL, fit));
    }

    /** The pixel rectangle of one cell. */
    Rectangle cell(int row, int column) {
        return new Rectangle(gridX + column * cell, gridY + row * cell, cell, cell);
    }

    private static int stepFor(int lineHeight, int cell) {
        return Math.max(1, (lineHeight + cell - 1) / cell);
    }

    private static int widest(FontMetrics metrics, List<String> texts) {
        int widest = 0;
        for (String text : texts) {
            widest = Math.max(widest, metrics.stringWidth(text));
        }
        return widest;
    }

    private static int max(int a, int b, int c) {
        return Math.max(a, Math.max(b, c));
    }
}
