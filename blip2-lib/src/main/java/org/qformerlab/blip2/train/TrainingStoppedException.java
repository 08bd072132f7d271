package org.qformerlab.blip2.train;

import java.nio.file.Path;

/**
 * A run stopped on request at a step boundary, its work kept: the checkpoint of that step is written
 * and training continues from it with {@code resume} (bit for bit where the engine allows).
 */
public final class TrainingStoppedException extends RuntimeException {

    private final long step;
    private final int totalSteps;
    private final Path runDir;
    private final Path checkpoint;

    public TrainingStoppedException(long step, int totalSteps, Path runDir, Path checkpoint) {
        super("stopped at step " + step + "/" + totalSteps + "; checkpoint " + checkpoint
                + "; resume from the run folder " + runDir);
        this.step = step;
        this.totalSteps = totalSteps;
        this.runDir = runDir;
        this.checkpoint = checkpoint;
    }

    /** The steps done (and saved). */
    public long step() {
        return step;
    }

    public int totalSteps() {
        return totalSteps;
    }

    public Path runDir() {
        return runDir;
    }

    public Path checkpoint() {
        return checkpoint;
    }
}
