package org.qformerlab.blip2.train;

import java.io.IOException;
import java.nio.file.Path;

/** A line of a metrics log that is not a JSON object; names the file and the 1-based line number. */
public final class MetricsLogFormatException extends IOException {

    private static final long serialVersionUID = 1L;
    private static final int MAX_EXCERPT = 80;

    private final transient Path file;
    private final int lineNumber;

    MetricsLogFormatException(Path file, int lineNumber, String line, String problem, Throwable cause) {
        super(file + ", line " + lineNumber + ": " + problem + " in: " + excerpt(line), cause);
        this.file = file;
        this.lineNumber = lineNumber;
    }

    /** The log file. */
    public Path file() {
        return file;
    }

    /** The 1-based number of the bad line. */
    public int lineNumber() {
        return lineNumber;
    }

    private static String excerpt(String line) {
        return line.length() <= MAX_EXCERPT ? line : line.substring(0, MAX_EXCERPT) + "...";
    }
}
