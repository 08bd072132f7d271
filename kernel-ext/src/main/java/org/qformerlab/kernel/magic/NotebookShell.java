package org.qformerlab.kernel.magic;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The notebook's Java as magics see it: run code as a cell would, and add to what it compiles against. */
public interface NotebookShell {

    /**
     * Runs {@code code} as a cell (Java and magics, in order); returns the value of its last
     * expression when it ends in one. Failures propagate as they would from a cell.
     */
    Optional<Object> run(String code);

    /** Adds a jar or class folder to the classpath of the cells that follow. */
    void addToClasspath(Path entry);

    /** What this notebook added to the classpath so far, in order. */
    List<Path> addedClasspath();
}
