package org.qformerlab.blip2.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data file exists but its content is wrong: invalid JSON, a missing field, a reference to
 * something that does not exist, an unreadable image. The message names the file and the entry.
 */
public class DataFileException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public DataFileException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public DataFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file with the problem. */
    public Path file() {
        return file;
    }
}
