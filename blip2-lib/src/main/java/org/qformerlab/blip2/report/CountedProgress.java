package org.qformerlab.blip2.report;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The progress of a long phase as counted lines on the log, {@code label done/total unit | note}:
 * {@code evaluation 5200/58000 items | test split}. A console prints them as they are; a notebook
 * draws each label as a progress bar with an ETA that updates in place (the kernel reads the same
 * lines). The library knows nothing of notebooks: this is text on the log.
 *
 * <p>A line is printed when the phase starts, when the note changes (a new split, a new part of the
 * work), each time another twentieth of the work is done, and at the end ({@link #finish}, the one
 * line whose count is the total, which ends a notebook's bar): a console sees at most about twenty
 * lines of a phase however finely the work is counted.
 */
public final class CountedProgress {

    /** Lines at most per phase, besides those of a changed note. */
    public static final int LINES = 20;

    private final PrintStream log;
    private final String label;
    private final long total;
    private final String unit;
    private long done;
    private long shownTwentieths = -1;
    private String shownNote;

    /**
     * @param label lower-case words, what the bar is called ({@code evaluation})
     * @param total units of work in the phase; 0 prints nothing
     * @param unit what is counted ({@code items})
     */
    public CountedProgress(PrintStream log, String label, long total, String unit) {
        if (!label.matches("[a-z][a-z ]*") || total < 0) {
            throw new IllegalArgumentException("a counted phase needs a lower-case label and total >= 0, got '"
                    + label + "' and " + total);
        }
        this.log = log;
        this.label = label;
        this.total = total;
        this.unit = unit;
    }

    /** A phase that prints nothing (the validations during training, which the step lines cover). */
    public static CountedProgress silent() {
        return new CountedProgress(null, "silent", 0, "");
    }

    /** Adds {@code units} done, {@code note} saying what is under way; prints when due (never the total). */
    public void advance(long units, String note) {
        if (total == 0) {
            return;
        }
        done = Math.min(total, done + units);
        long twentieths = done * LINES / total;
        if (done < total && (twentieths > shownTwentieths || !note.equals(shownNote))) {
            print(note);
            shownTwentieths = twentieths;
            shownNote = note;
        }
    }

    /** The last line: all of the work done. */
    public void finish(String note) {
        if (total == 0) {
            return;
        }
        done = total;
        print(note);
    }

    public long done() {
        return done;
    }

    private void print(String note) {
        log.println(String.format(Locale.ROOT, "%s %d/%d %s | %s", label, done, total, unit, note));
    }
}
