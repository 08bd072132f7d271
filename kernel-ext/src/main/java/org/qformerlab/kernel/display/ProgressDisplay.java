package org.qformerlab.kernel.display;

import java.util.Locale;
import java.util.function.LongSupplier;
import org.qformerlab.blip2.report.Tables;

/**
 * A progress bar that updates in place: {@code ProgressDisplay bar = ProgressDisplay.start("stage 1",
 * steps); ... bar.update(step, "loss 2.31"); ... bar.finish("done");}.
 *
 * <p>Shown as an HTML {@code <progress>} element with a text fallback
 * ({@code stage 1 [#####.....] 50/100 (50%) ETA 1m05s loss 2.31}): the time left is the time so far
 * scaled by the work left over the work done. Updates are throttled (at most one redraw
 * per interval), the last state is always drawn by {@link #finish}.
 */
public final class ProgressDisplay {

    private static final int BAR_WIDTH = 30;
    private static final long DEFAULT_INTERVAL_MILLIS = 250;

    private final DisplaySink sink;
    private final String label;
    private final long total;
    private final Throttle throttle;
    private final LongSupplier clock;
    private final long startNanos;
    private String displayId;
    private long done;
    private String message = "";
    private boolean finished;

    ProgressDisplay(DisplaySink sink, String label, long total, long intervalMillis) {
        this(sink, label, total, intervalMillis, System::nanoTime);
    }

    ProgressDisplay(DisplaySink sink, String label, long total, long intervalMillis, LongSupplier clockNanos) {
        if (total <= 0) {
            throw new IllegalArgumentException("a progress bar needs total > 0, got " + total);
        }
        this.sink = sink;
        this.label = label;
        this.total = total;
        this.throttle = new Throttle(intervalMillis, clockNanos);
        this.clock = clockNanos;
        this.startNanos = clockNanos.getAsLong();
    }

    /** Shows a bar at 0 of {@code total} in the notebook. */
    public static ProgressDisplay start(String label, long total) {
        return start(Notebook.sink(), label, total, DEFAULT_INTERVAL_MILLIS);
    }

    /** Shows a bar on {@code sink}, redrawing at most every {@code intervalMillis}. */
    public static ProgressDisplay start(DisplaySink sink, String label, long total, long intervalMillis) {
        return show(new ProgressDisplay(sink, label, total, intervalMillis));
    }

    /** As {@link #start(DisplaySink, String, long, long)} with a clock of its own (for tests). */
    static ProgressDisplay start(DisplaySink sink, String label, long total, long intervalMillis, LongSupplier clockNanos) {
        return show(new ProgressDisplay(sink, label, total, intervalMillis, clockNanos));
    }

    private static ProgressDisplay show(ProgressDisplay bar) {
        bar.displayId = bar.sink.display(bar.snapshot());
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
        return new Snapshot(label, done, total, message, finished, timeText());
    }

    /** "ETA 1m05s" while running (once some work is done), "in 2m10s" when finished, else "". */
    private String timeText() {
        double elapsed = (clock.getAsLong() - startNanos) / 1e9;
        if (finished) {
            return done == total ? "in " + duration(elapsed) : "";
        }
        return done == 0 ? "" : "ETA " + duration(elapsed * (total - done) / done);
    }

    /** Seconds as {@code 7s}, {@code 1m05s} or {@code 2h03m}. */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    /**
     * One state of the bar; renders as HTML and text.
     *
     * @param time "ETA 1m05s", "in 2m10s" or ""
     */
    public record Snapshot(String label, long done, long total, String message, boolean finished, String time) {

        public Snapshot(String label, long done, long total, String message, boolean finished) {
            this(label, done, total, message, finished, "");
        }

        public double fraction() {
            return (double) done / total;
        }

        public String html() {
            return String.format(Locale.ROOT,
                    "<div class=\"qfl-progress\"><b>%s</b> <progress value=\"%d\" max=\"%d\" style=\"width:20em\"></progress>"
                            + " %d/%d (%.0f%%) %s</div>",
                    Tables.escapeHtml(label), done, total, done, total, 100 * fraction(),
                    Tables.escapeHtml(status()));
        }

        @Override
        public String toString() {
            int filled = (int) Math.round(BAR_WIDTH * fraction());
            return String.format(Locale.ROOT, "%s [%s%s] %d/%d (%.0f%%) %s", label, "#".repeat(filled),
                    ".".repeat(BAR_WIDTH - filled), done, total, 100 * fraction(), status()).stripTrailing();
        }

        /** The time, then the message; a message with an ETA of its own (the trainer's) keeps only that. */
        private String status() {
            boolean own = time.isEmpty() || message.contains("ETA ");
            return (own ? message : message.isEmpty() ? time : time + " " + message).strip();
        }
    }
}
