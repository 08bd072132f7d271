package org.qformerlab.kernel.display;

import java.util.Locale;
import org.qformerlab.blip2.report.Tables;

/**
 * A progress bar that updates in place: {@code ProgressDisplay bar = ProgressDisplay.start("stage 1",
 * steps); ... bar.update(step, "loss 2.31"); ... bar.finish("done");}.
 *
 * <p>Shown as an HTML {@code <progress>} element with a text fallback
 * ({@code stage 1 [#####.....] 50/100 (50%) loss 2.31}). Updates are throttled (at most one redraw
 * per interval), the last state is always drawn by {@link #finish}.
 */
public final class ProgressDisplay {

    private static final int BAR_WIDTH = 30;
    private static final long DEFAULT_INTERVAL_MILLIS = 250;

    private final DisplaySink sink;
    private final String label;
    private final long total;
    private final Throttle throttle;
    private String displayId;
    private long done;
    private String message = "";
    private boolean finished;

    ProgressDisplay(DisplaySink sink, String label, long total, long intervalMillis) {
        if (total <= 0) {
            throw new IllegalArgumentException("a progress bar needs total > 0, got " + total);
        }
        this.sink = sink;
        this.label = label;
        this.total = total;
        this.throttle = new Throttle(intervalMillis, System::nanoTime);
    }

    /** Shows a bar at 0 of {@code total} in the notebook. */
    public static ProgressDisplay start(String label, long total) {
        return start(Notebook.sink(), label, total, DEFAULT_INTERVAL_MILLIS);
    }

    /** Shows a bar on {@code sink}, redrawing at most every {@code intervalMillis}. */
    public static ProgressDisplay start(DisplaySink sink, String label, long total, long intervalMillis) {
        ProgressDisplay bar = new ProgressDisplay(sink, label, total, intervalMillis);
        bar.displayId = sink.display(bar.snapshot());
        return bar;
    }

    /** Sets progress to {@code done} of total with a short status message; redraws when due. */
    public synchronized void update(long done, String message) {
        this.done = Math.max(0, Math.min(done, total));
        this.message = message == null ? "" : message;
        if (throttle.ready()) {
            sink.update(displayId, snapshot());
        }
    }

    /** Draws the final state (whatever the throttle says). */
    public synchronized void finish(String message) {
        this.done = total;
        this.message = message == null ? "" : message;
        this.finished = true;
        sink.update(displayId, snapshot());
    }

    /** Draws the state reached so far, marked as stopped (for an interrupted or failed run). */
    public synchronized void stopped(String message) {
        this.message = message == null ? "stopped" : message;
        this.finished = true;
        sink.update(displayId, snapshot());
    }

    public synchronized long done() {
        return done;
    }

    public String displayId() {
        return displayId;
    }

    /** An immutable picture of the bar now (what the notebook renders). */
    public synchronized Snapshot snapshot() {
        return new Snapshot(label, done, total, message, finished);
    }

    /** One state of the bar; renders as HTML and text. */
    public record Snapshot(String label, long done, long total, String message, boolean finished) {

        public double fraction() {
            return (double) done / total;
        }

        public String html() {
            return String.format(Locale.ROOT,
                    "<div class=\"qfl-progress\"><b>%s</b> <progress value=\"%d\" max=\"%d\" style=\"width:20em\"></progress>"
                            + " %d/%d (%.0f%%) %s</div>",
                    Tables.escapeHtml(label), done, total, done, total, 100 * fraction(),
                    Tables.escapeHtml(message));
        }

        @Override
        public String toString() {
            int filled = (int) Math.round(BAR_WIDTH * fraction());
            return String.format(Locale.ROOT, "%s [%s%s] %d/%d (%.0f%%) %s", label, "#".repeat(filled),
                    ".".repeat(BAR_WIDTH - filled), done, total, 100 * fraction(), message).stripTrailing();
        }
    }
}
