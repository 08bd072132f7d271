package org.qformerlab.kernel.jshell;

import java.util.List;

/**
 * A snippet of the cell does not compile. The message quotes the offending line with a caret under
 * the position javac reported and javac's own explanation, once per diagnostic.
 */
public final class CompileException extends RuntimeException {

    private final List<String> lines;

    public CompileException(String summary, List<String> lines) {
        super(summary, null, false, false);
        this.lines = List.copyOf(lines);
    }

    /** The report, one display line per element. */
    public List<String> lines() {
        return lines;
    }
}
