package org.qformerlab.blip2.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A labelled heatmap of a matrix, drawn to a {@link BufferedImage}: made to teach the Q-Former's
 * attention masks (row i may attend to column j) and to show attention weights.
 *
 * <p>A boolean mask draws allowed cells in {@link #ALLOWED} and blocked ones in {@link #BLOCKED},
 * with a two-swatch legend. A float matrix draws each value on a viridis colour bar from its minimum
 * to its maximum; non-finite values (a masked {@code -inf} logit, NaN) are drawn as {@link #BLOCKED}.
 * Labels stay legible for large matrices: when cells are smaller than a line of text only every k-th
 * label is written, and column labels turn vertical when wider than a cell.
 *
 * <pre>{@code
 * BufferedImage image = Heatmap.ofMask(itgMask)
 *         .title("ITG: multimodal causal")
 *         .labels(Heatmap.queryTextLabels(8, 12))
 *         .divideAt(8)
 *         .render();
 * Heatmap.save(image, Path.of("itg-mask.png"));
 * }</pre>
 */
public final class Heatmap {

    /** Colour of a cell that may attend (a {@code true} mask entry). */
    public static final Color ALLOWED = new Color(0x1F5FA8);
    /** Colour of a cell that may not attend (a {@code false} entry, or a non-finite value). */
    public static final Color BLOCKED = new Color(0xE8E8E8);

    private static final Color DIVIDER = new Color(0xD55E00);
    private static final Color TEXT = new Color(0x222222);

    static {
        Headless.ensure();
    }

    private final double[][] values;
    private final boolean isMask;
    private final ValueRange range;
    private String title = "";
    private List<String> rowLabels = List.of();
    private List<String> columnLabels = List.of();
    private int cellSize;
    private final List<Integer> dividers = new ArrayList<>();
    private String allowedLabel = "allowed";
    private String blockedLabel = "blocked";

    private Heatmap(double[][] values, boolean isMask) {
        checkRectangular(values);
        this.values = values;
        this.isMask = isMask;
        this.range = ValueRange.of(values);
        this.cellSize = HeatmapLayout.autoCellSize(values.length, values[0].length);
    }

    /** A heatmap of an attention mask; {@code mask[i][j]} is true where row i may attend to column j. */
    public static Heatmap ofMask(boolean[][] mask) {
        double[][] values = new double[mask.length][];
        for (int i = 0; i < mask.length; i++) {
            values[i] = new double[mask[i].length];
            for (int j = 0; j < mask[i].length; j++) {
                values[i][j] = mask[i][j] ? 1 : 0;
            }
        }
        return new Heatmap(values, true);
    }

    /** A heatmap of a row-major flat mask, e.g. from DJL's {@code NDArray.toBooleanArray()}. */
    public static Heatmap ofMask(boolean[] flat, int rows, int columns) {
        checkFlat(flat.length, rows, columns);
        boolean[][] mask = new boolean[rows][columns];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(flat, i * columns, mask[i], 0, columns);
        }
        return ofMask(mask);
    }

    /** A heatmap of values, e.g. attention weights or masked logits. */
    public static Heatmap ofValues(float[][] matrix) {
        double[][] values = new double[matrix.length][];
        for (int i = 0; i < matrix.length; i++) {
            values[i] = new double[matrix[i].length];
            for (int j = 0; j < matrix[i].length; j++) {
                values[i][j] = matrix[i][j];
            }
        }
        return new Heatmap(values, false);
    }

    /** A heatmap of a row-major flat matrix, e.g. from DJL's {@code NDArray.toFloatArray()}. */
    public static Heatmap ofValues(float[] flat, int rows, int columns) {
        checkFlat(flat.length, rows, columns);
        float[][] matrix = new float[rows][columns];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(flat, i * columns, matrix[i], 0, columns);
        }
        return ofValues(matrix);
    }

    /** Labels {@code prefix0 .. prefix(n-1)}, e.g. {@code labels("t", 12)} gives t0..t11. */
    public static List<String> labels(String prefix, int n) {
        List<String> labels = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            labels.add(prefix + i);
        }
        return labels;
    }

    /** Labels of the Q-Former's joint sequence [queries ; text]: q0..q(Q-1), then t0..t(T-1). */
    public static List<String> queryTextLabels(int queries, int textTokens) {
        List<String> labels = new ArrayList<>(labels("q", queries));
        labels.addAll(labels("t", textTokens));
        return labels;
    }

    /** Sets the title drawn above the matrix. */
    public Heatmap title(String title) {
        this.title = title == null ? "" : title;
        return this;
    }

    /** Sets the same labels for rows and columns (a square attention mask). */
    public Heatmap labels(List<String> labels) {
        return rowLabels(labels).columnLabels(labels);
    }

    /** Sets one label per row. */
    public Heatmap rowLabels(List<String> labels) {
        checkCount("row", labels, values.length);
        this.rowLabels = List.copyOf(labels);
        return this;
    }

    /** Sets one label per column. */
    public Heatmap columnLabels(List<String> labels) {
        checkCount("column", labels, values[0].length);
        this.columnLabels = List.copyOf(labels);
        return this;
    }

    /** Sets the cell size in pixels (default: the grid spans about 480 pixels, 6 to 32 per cell). */
    public Heatmap cellSize(int pixels) {
        if (pixels < 1) {
            throw new IllegalArgumentException("cell size must be positive: " + pixels);
        }
        this.cellSize = pixels;
        return this;
    }

    /**
     * Draws a divider before row and column {@code index}, e.g. {@code divideAt(numQueries)} to
     * separate the query block from the text block.
     */
    public Heatmap divideAt(int index) {
        dividers.add(index);
        return this;
    }

    /** Renames the legend entries (default "allowed" and "blocked"). */
    public Heatmap legendLabels(String allowed, String blocked) {
        this.allowedLabel = allowed;
        this.blockedLabel = blocked;
        return this;
    }

    /** The pixel rectangle that {@link #render()} fills for the cell at (row, column). */
    public Rectangle cellBounds(int row, int column) {
        return layout().cell(row, column);
    }

    /** Draws the heatmap. */
    public BufferedImage render() {
        HeatmapLegend legend = legend();
        HeatmapLayout layout = layout(legend);
        BufferedImage image = new BufferedImage(layout.width, layout.height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, layout.width, layout.height);
            paintCells(g, layout);
            paintDividers(g, layout);
            Fonts.antialias(g);
            paintTitle(g, layout);
            paintRowLabels(g, layout);
            paintColumnLabels(g, layout);
            legend.paint(g, layout.legendX, layout.legendY);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Encodes an image as PNG bytes (for notebook display). */
    public static byte[] toPng(BufferedImage image) throws IOException {
        return PngImages.encode(image);
    }

    /** Writes an image as a PNG file, atomically, creating parent folders. */
    public static void save(BufferedImage image, Path file) throws IOException {
        PngImages.save(image, file);
    }

    private HeatmapLayout layout() {
        return layout(legend());
    }

    private HeatmapLayout layout(HeatmapLegend legend) {
        return new HeatmapLayout(values.length, values[0].length, cellSize, rowLabels, columnLabels, title,
                legend.width(), legend.height());
    }

    private HeatmapLegend legend() {
        if (isMask) {
            return HeatmapLegend.forMask(allowedLabel, blockedLabel);
        }
        String nonFinite = range.anyNonFinite() ? "not finite (masked)" : null;
        return HeatmapLegend.forScale(range.min(), range.max(), nonFinite);
    }

    private Color colorOf(double value) {
        if (isMask) {
            return value != 0 ? ALLOWED : BLOCKED;
        }
        return Double.isFinite(value) ? ColorScale.at(value, range.min(), range.max()) : BLOCKED;
    }

    private void paintCells(Graphics2D g, HeatmapLayout layout) {
        int gap = layout.cell >= 8 ? 1 : 0;
        for (int i = 0; i < layout.rows; i++) {
            for (int j = 0; j < layout.columns; j++) {
                Rectangle cell = layout.cell(i, j);
                g.setColor(colorOf(values[i][j]));
                g.fillRect(cell.x, cell.y, cell.width - gap, cell.height - gap);
            }
        }
    }

    private void paintDividers(Graphics2D g, HeatmapLayout layout) {
        g.setColor(DIVIDER);
        g.setStroke(new BasicStroke(2f));
        int right = layout.gridX + layout.columns * layout.cell;
        int bottom = layout.gridY + layout.rows * layout.cell;
        for (int index : dividers) {
            if (index > 0 && index < layout.rows) {
                int y = layout.gridY + index * layout.cell;
                g.drawLine(layout.gridX, y, right, y);
            }
            if (index > 0 && index < layout.columns) {
                int x = layout.gridX + index * layout.cell;
                g.drawLine(x, layout.gridY, x, bottom);
            }
        }
    }

    private void paintTitle(Graphics2D g, HeatmapLayout layout) {
        if (title.isEmpty()) {
            return;
        }
        g.setColor(TEXT);
        g.setFont(Fonts.TITLE);
        int width = g.getFontMetrics().stringWidth(title);
        g.drawString(title, (layout.width - width) / 2, layout.titleBaseline);
    }

    private void paintRowLabels(Graphics2D g, HeatmapLayout layout) {
        g.setColor(TEXT);
        g.setFont(Fonts.LABEL);
        FontMetrics metrics = g.getFontMetrics();
        for (int i = 0; i < rowLabels.size(); i += layout.rowLabelStep) {
            Rectangle cell = layout.cell(i, 0);
            String label = rowLabels.get(i);
            int baseline = cell.y + (cell.height + metrics.getAscent() - metrics.getDescent()) / 2;
            g.drawString(label, layout.gridX - HeatmapLayout.LABEL_GAP - metrics.stringWidth(label), baseline);
        }
    }

    private void paintColumnLabels(Graphics2D g, HeatmapLayout layout) {
        g.setColor(TEXT);
        g.setFont(Fonts.LABEL);
        FontMetrics metrics = g.getFontMetrics();
        int bottom = layout.gridY - HeatmapLayout.LABEL_GAP;
        for (int j = 0; j < columnLabels.size(); j += layout.columnLabelStep) {
            Rectangle cell = layout.cell(0, j);
            String label = columnLabels.get(j);
            int centerX = cell.x + cell.width / 2;
            if (layout.verticalColumnLabels) {
                AffineTransform saved = g.getTransform();
                g.translate(centerX + (metrics.getAscent() - metrics.getDescent()) / 2, bottom);
                g.rotate(-Math.PI / 2);
                g.drawString(label, 0, 0);
                g.setTransform(saved);
            } else {
                g.drawString(label, centerX - metrics.stringWidth(label) / 2, bottom - metrics.getDescent());
            }
        }
    }

    private static void checkRectangular(double[][] values) {
        if (values.length == 0 || values[0].length == 0) {
            throw new IllegalArgumentException("matrix is empty");
        }
        for (int i = 1; i < values.length; i++) {
            if (values[i].length != values[0].length) {
                throw new IllegalArgumentException("matrix is not rectangular: row " + i + " has "
                        + values[i].length + " columns, row 0 has " + values[0].length);
            }
        }
    }

    private static void checkFlat(int length, int rows, int columns) {
        if (rows < 1 || columns < 1 || length != rows * columns) {
            throw new IllegalArgumentException(
                    "flat matrix of " + length + " values does not fit " + rows + "x" + columns);
        }
    }

    private static void checkCount(String what, List<String> labels, int expected) {
        if (labels.size() != expected) {
            throw new IllegalArgumentException(
                    labels.size() + " " + what + " labels for " + expected + " " + what + "s");
        }
    }

    /** The finite minimum and maximum of a matrix, and whether it holds non-finite values. */
    private record ValueRange(double min, double max, boolean anyNonFinite) {

        static ValueRange of(double[][] values) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            boolean anyNonFinite = false;
            for (double[] row : values) {
                for (double v : row) {
                    if (Double.isFinite(v)) {
                        min = Math.min(min, v);
                        max = Math.max(max, v);
                    } else {
                        anyNonFinite = true;
                    }
                }
            }
            return min > max ? new ValueRange(0, 0, anyNonFinite) : new ValueRange(min, max, anyNonFinite);
        }
    }
}
