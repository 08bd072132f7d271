package org.qformerlab.kernel.magic;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.qformerlab.kernel.display.DisplaySink;
import org.qformerlab.kernel.display.ProgressDisplay;

/**
 * Turns the library's counted progress lines into progress bars that update in place, one bar per
 * label, and passes every other line on. A counted line is a lower-case label, an optional
 * {@code step}, then {@code done/total} and the rest: {@code vision pretraining step 40/200 |
 * reconstruction 0.0123 | ...}, {@code language pretraining step 5/20 | ...}, {@code vision features
 * 512/2800 images | ...}, {@code evaluation 5200/58000 units | test split}. The bar finishes when done
 * reaches total. The trainer's own
 * {@code step 3/6 | ...} lines are passed on (the training display already draws them).
 */
final class CountedLines implements Consumer<String> {

    static final Pattern COUNTED =
            Pattern.compile("^(?<label>[a-z][a-z ]*?)(?: step)? (?<done>\\d+)/(?<total>\\d+)(?<rest>.*)$");

    private final DisplaySink sink;
    private final Consumer<String> others;
    private final long intervalMillis;
    private final Map<String, ProgressDisplay> bars = new HashMap<>();

    CountedLines(DisplaySink sink, Consumer<String> others) {
        this(sink, others, 250);
    }

    /** With bars redrawn at most every {@code intervalMillis} (0: every line, for tests). */
    CountedLines(DisplaySink sink, Consumer<String> others, long intervalMillis) {
        this.sink = sink;
        this.others = others;
        this.intervalMillis = intervalMillis;
    }

    @Override
    public void accept(String line) {
        Matcher m = COUNTED.matcher(line);
        // "step 3/6 | ..." is the trainer's own line: its bar is the training display's
        if (!m.matches() || m.group("label").equals("step") || Long.parseLong(m.group("total")) <= 0) {
            others.accept(line);
            return;
        }
        String label = m.group("label");
        long done = Long.parseLong(m.group("done"));
        long total = Long.parseLong(m.group("total"));
        String rest = m.group("rest").replaceFirst("^\\s*([a-z]+\\b)?\\s*\\|?\\s*", "").trim();
        ProgressDisplay bar = bars.get(label);
        if (bar == null || bar.snapshot().finished()) {
            bar = ProgressDisplay.start(sink, label, total, intervalMillis);
            bars.put(label, bar);
        }
        if (done >= total) {
            bar.finish(rest);
        } else {
            bar.update(done, rest);
        }
    }

    /** Marks every bar still running as stopped (the work ended early). */
    void stopAll(String message) {
        for (ProgressDisplay bar : bars.values()) {
            if (!bar.snapshot().finished()) {
                bar.stopped(message);
            }
        }
    }
}
