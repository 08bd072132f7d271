package org.qformerlab.blip2.report;

import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A grid of images with a caption under each: dataset samples with their captions, or test images
 * with generated ones. Each image is scaled with nearest-neighbour sampling (small synthetic images
 * stay crisp) to fit a square cell, keeping its aspect ratio; captions are word-wrapped to the cell
 * width and cut with an ellipsis after {@link #maxCaptionLines(int)} lines.
 *
 * <pre>{@code
 * BufferedImage grid = ImageGrid.of(images).captions(captions).columns(4).cellSize(128).render();
 * }</pre>
 *
 * <p>Size: {@code columns * cellSize + (columns + 1) * padding} wide and
 * {@code rows * (cellSize + captionHeight) + (rows + 1) * padding} high, where the caption height fits
 * the longest wrapped caption (0 without captions).
 */
public final class ImageGrid {

    private static final Color TEXT = new Color(0x222222);
    /** A hairline around each image, drawn in the padding, so white backgrounds keep their edge. */
    private static final Color FRAME = new Color(0xD0D0D0);
    private static final int CAPTION_GAP = 4;

    static {
        Headless.ensure();
    }

    private final List<BufferedImage> images;
    private List<String> captions = List.of();
    private int columns;
    private int cellSize = 128;
    private int padding = 8;
    private int maxCaptionLines = 4;

    private ImageGrid(List<BufferedImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("an image grid needs at least one image");
        }
        this.images = List.copyOf(images);
        this.columns = Math.min(images.size(), 4);
    }

    /** A grid of these images, in reading order. */
    public static ImageGrid of(List<BufferedImage> images) {
        return new ImageGrid(images);
    }

    /** Shorthand for {@code of(images).captions(captions).columns(columns).cellSize(cellSize).render()}. */
    public static BufferedImage compose(List<BufferedImage> images, List<String> captions, int columns,
            int cellSize) {
        return of(images).captions(captions).columns(columns).cellSize(cellSize).render();
    }

    /** One caption per image (null entries are left blank); an empty list means no captions. */
    public ImageGrid captions(List<String> captions) {
        if (!captions.isEmpty() && captions.size() != images.size()) {
            throw new IllegalArgumentException(captions.size() + " captions for " + images.size() + " images");
        }
        this.captions = new ArrayList<>(captions);
        return this;
    }

    /** Images per row (default: up to 4). */
    public ImageGrid columns(int columns) {
        this.columns = positive("columns", columns);
        return this;
    }

    /** The side of the square each image is scaled into, in pixels (default 128). */
    public ImageGrid cellSize(int pixels) {
        this.cellSize = positive("cell size", pixels);
        return this;
    }

    /** The white space around and between cells, in pixels (default 8). */
    public ImageGrid padding(int pixels) {
        if (pixels < 0) {
            throw new IllegalArgumentException("padding must not be negative: " + pixels);
        }
        this.padding = pixels;
        return this;
    }

    /** The most lines a caption may take (default 4). */
    public ImageGrid maxCaptionLines(int lines) {
        this.maxCaptionLines = positive("caption lines", lines);
        return this;
    }

    /** Draws the grid. */
    public BufferedImage render() {
        FontMetrics metrics = Fonts.metrics(Fonts.LABEL);
        List<List<String>> wrapped = wrapCaptions(metrics);
        int captionHeight = captionHeight(wrapped, metrics);
        int rows = (images.size() + columns - 1) / columns;
        int width = columns * cellSize + (columns + 1) * padding;
        int rowHeight = cellSize + captionHeight;
        int height = rows * rowHeight + (rows + 1) * padding;

        BufferedImage grid = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            Fonts.antialias(g);
            g.setFont(Fonts.LABEL);
            for (int i = 0; i < images.size(); i++) {
                int x = padding + (i % columns) * (cellSize + padding);
                int y = padding + (i / columns) * (rowHeight + padding);
                drawScaled(g, images.get(i), x, y);
                drawCaption(g, metrics, wrapped.get(i), x, y + cellSize + CAPTION_GAP);
            }
        } finally {
            g.dispose();
        }
        return grid;
    }

    /** Encodes an image as PNG bytes (for notebook display). */
    public static byte[] toPng(BufferedImage image) throws IOException {
        return PngImages.encode(image);
    }

    /** Writes an image as a PNG file, atomically, creating parent folders. */
    public static void save(BufferedImage image, Path file) throws IOException {
        PngImages.save(image, file);
    }

    private List<List<String>> wrapCaptions(FontMetrics metrics) {
        List<List<String>> wrapped = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            String caption = i < captions.size() && captions.get(i) != null ? captions.get(i) : "";
            wrapped.add(TextWrap.wrap(caption, metrics, cellSize, maxCaptionLines));
        }
        return wrapped;
    }

    private static int captionHeight(List<List<String>> wrapped, FontMetrics metrics) {
        int lines = 0;
        for (List<String> caption : wrapped) {
            lines = Math.max(lines, caption.size());
        }
        return lines == 0 ? 0 : CAPTION_GAP + lines * Fonts.lineHeight(metrics);
    }

    private void drawScaled(Graphics2D g, BufferedImage image, int x, int y) {
        double scale = cellSize / (double) Math.max(image.getWidth(), image.getHeight());
        int w = Math.max(1, (int) Math.round(image.getWidth() * scale));
        int h = Math.max(1, (int) Math.round(image.getHeight() * scale));
        int left = x + (cellSize - w) / 2;
        int top = y + (cellSize - h) / 2;
        g.drawImage(image, left, top, w, h, null);
        if (padding >= 2) {
            g.setColor(FRAME);
            g.drawRect(left - 1, top - 1, w + 1, h + 1);
        }
    }

    private void drawCaption(Graphics2D g, FontMetrics metrics, List<String> lines, int x, int top) {
        g.setColor(TEXT);
        int baseline = top + metrics.getAscent();
        for (String line : lines) {
            g.drawString(line, x + (cellSize - metrics.stringWidth(line)) / 2, baseline);
            baseline += Fonts.lineHeight(metrics);
        }
    }

    private static int positive(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be positive: " + value);
        }
        return value;
    }
}
