package org.qformerlab.ablations;

import java.nio.file.Path;

/**
 * A study stopped at a run boundary because a stop was asked ({@link RunOptions#stopRequested}):
 * the runs that finished are kept in the study folder, and running the study again with the same
 * folder skips them and does the rest.
 */
public final class StudyStoppedException extends RuntimeException {

    private final int finished;
    private final int pending;
    private final Path folder;

    public StudyStoppedException(int finished, int pending, Path folder) {
        super("study stopped at a run boundary after " + finished + " of " + pending + " pending runs; the finished"
                + " runs are kept in " + folder + " and running the study again on that folder skips them");
        this.finished = finished;
        this.pending = pending;
        this.folder = folder;
    }

    /** Runs finished in this call (before the stop). */
    public int finished() {
        return finished;
    }

    /** Runs that this call had to do. */
    public int pending() {
        return pending;
    }

    public Path folder() {
        return folder;
    }
}
