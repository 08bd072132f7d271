package org.qformerlab.blip2.train;

/** A loss term or the gradient became NaN or infinite; the run stopped before the bad update. */
public class TrainingDivergedException extends IllegalStateException {
    private final long step;
    private final String term;

    public TrainingDivergedException(long step, String term, double value, String lastCheckpoint) {
        super("training stopped at step " + step + ": " + term + " became " + value
                + (lastCheckpoint == null ? " (no checkpoint was written yet)" : "; the last good checkpoint is intact: " + lastCheckpoint)
                + ". Try a lower learningRate, a longer warm-up, gradClipNorm > 0, or (stage 1) clampTemperature: true");
        this.step = step;
        this.term = term;
    }

    public long step() {
        return step;
    }

    public String term() {
        return term;
    }
}
