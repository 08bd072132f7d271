package org.qformerlab.ablations;

import java.nio.file.Path;
import org.qformerlab.blip2.train.TrainingStoppedException;

/**
 * A study stopped because a stop was asked ({@link RunOptions#stopRequested}): at a run boundary, or
 * inside a run training in this JVM at a step boundary, that run's checkpoint written. The finished
 * runs are kept in the study folder, and running the study again with the same folder skips them,
 * continues the stopped run from its checkpoint and does the rest.
 */
public final class StudyStoppedException extends RuntimeException {

    private final int finished;
    private final int pending;
    private final Path folder;
    private final String stoppedRun;
    private final TrainingStoppedException stop;

    /** Stopped at a run boundary. */
    public StudyStoppedException(int finished, int pending, Path folder) {
        this(finished, pending, folder, null, null);
    }

    /**
     * Stopped inside the run {@code stoppedRun} at a step boundary (null for a run boundary).
     *
     * @param stop where that run stopped and its checkpoint
     */
    public StudyStoppedException(int finished, int pending, Path folder, String stoppedRun,
                                 TrainingStoppedException stop) {
        super(stop == null
                ? "study stopped at a run boundary after " + finished + " of " + pending + " pending runs; the"
                        + " finished runs are kept in " + folder + " and running the study again on that folder"
                        + " skips them"
                : "study stopped at step " + stop.step() + "/" + stop.totalSteps() + " of the run " + stoppedRun
                        + " after " + finished + " of " + pending + " pending runs; the finished runs and the"
                        + " stopped run's checkpoint " + stop.checkpoint() + " are kept in " + folder
                        + ", and running the study again on that folder skips the finished runs and continues"
                        + " the stopped one from its checkpoint", stop);
        this.finished = finished;
        this.pending = pending;
        this.folder = folder;
        this.stoppedRun = stoppedRun;
        this.stop = stop;
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

    /** The run stopped at a step boundary (its id, as its folder under {@code runs/} is named), or null. */
    public String stoppedRun() {
        return stoppedRun;
    }

    /** Where that run stopped (step, checkpoint), or null when the study stopped at a run boundary. */
    public TrainingStoppedException stop() {
        return stop;
    }
}
