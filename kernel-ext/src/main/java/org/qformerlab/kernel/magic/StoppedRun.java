package org.qformerlab.kernel.magic;

import java.nio.file.Path;
import org.qformerlab.blip2.train.TrainingStoppedException;

/**
 * A training run stopped from the notebook at a step boundary, its work kept: what {@code %train}
 * binds instead of a result when the stop button ends it.
 *
 * @param stage {@code stage1} or {@code stage2}
 * @param step the steps done and saved
 * @param totalSteps the steps the run was to make
 * @param runDir the run folder (config, metrics, checkpoints)
 * @param checkpoint the checkpoint written at {@code step}
 * @param resume the call that continues it, or null when the stage cannot resume yet
 */
public record StoppedRun(String stage, long step, int totalSteps, Path runDir, Path checkpoint, String resume) {

    static StoppedRun of(String stage, TrainingStoppedException stop, String resume) {
        return new StoppedRun(stage, stop.step(), stop.totalSteps(), stop.runDir(), stop.checkpoint(), resume);
    }

    /** What the cell prints: where it stopped, what was kept, how to go on. */
    String summary(String variable) {
        return "stopped at step " + step + "/" + totalSteps + "; checkpoint " + checkpoint + "; bound to `" + variable
                + "` (StoppedRun)\n" + (resume == null
                        ? "this stage cannot resume yet; the checkpoint holds the weights and optimizer state"
                        : "resume with: " + resume);
    }
}
