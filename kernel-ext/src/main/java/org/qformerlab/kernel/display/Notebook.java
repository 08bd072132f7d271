package org.qformerlab.kernel.display;

import java.util.Objects;

/**
 * What notebook code calls to show things; the kernel imports these statically, so a cell writes
 * {@code display(chart)} or {@code String id = display(progress); ... updateDisplay(id, progress)}.
 *
 * <p>An XChart chart is shown as a PNG, a Tablesaw table as HTML, a {@code BufferedImage} as a PNG,
 * an {@code AttentionMask} as a labelled heatmap, a Q-Former as its parameter table; anything else
 * as its {@code toString()}. The value of a cell's last expression is shown the same way.
 */
public final class Notebook {

    private static volatile DisplaySink sink = DisplaySink.STDOUT;

    private Notebook() {}

    /** Shows {@code value} as a new output and returns its display id (for {@link #updateDisplay}). */
    public static String display(Object value) {
        return sink.display(value);
    }

    /** Shows {@code value} as the given MIME types, e.g. {@code displayAs(chart, "image/svg+xml")}. */
    public static String displayAs(Object value, String... mimeTypes) {
        return sink.display(value, mimeTypes);
    }

    /** Replaces the output shown under {@code displayId} (from {@link #display}) with {@code value}. */
    public static void updateDisplay(String displayId, Object value) {
        sink.update(Objects.requireNonNull(displayId, "displayId"), value);
    }

    /**
     * True when {@code QFORMERLAB_QUICK} is set (not "0"): the test suite runs every notebook this
     * way, and notebooks scale their long steps down with it, e.g.
     * {@code int steps = quick() ? 20 : 1500;}, so the same code runs in both. The system property
     * {@code qformerlab.quick} overrides the variable ({@code "0"}: full size).
     */
    public static boolean quick() {
        String property = System.getProperty("qformerlab.quick"); // a cell may turn it off for one full-size run
        String v = property != null ? property : System.getenv("QFORMERLAB_QUICK");
        return v != null && !v.isBlank() && !v.equals("0");
    }

    /** {@code full} normally, {@code quick} under {@link #quick()}. */
    public static int scaled(int full, int quick) {
        return quick() ? quick : full;
    }

    /** The current sink (the kernel's while a notebook runs). */
    public static DisplaySink sink() {
        return sink;
    }

    /** Installs the sink; the kernel calls this at start-up. */
    public static void useSink(DisplaySink newSink) {
        sink = Objects.requireNonNull(newSink, "sink");
    }
}
