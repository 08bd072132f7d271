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

    /** Replaces the output shown under {@code displayId} (from {@link #display}) with {@code value}. */
    public static void updateDisplay(String displayId, Object value) {
        sink.update(Objects.requireNonNull(displayId, "displayId"), value);
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
