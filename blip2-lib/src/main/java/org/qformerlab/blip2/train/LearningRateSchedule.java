package org.qformerlab.blip2.train;

/** Linear warm-up to the peak, then cosine decay to {@code peak * minRatio} at the last step. */
public record LearningRateSchedule(double peak, int warmupSteps, int totalSteps, double minRatio) {

    public static LearningRateSchedule of(TrainConfig c) {
        return new LearningRateSchedule(c.learningRate(), c.warmupSteps(), c.steps(), c.minLearningRateRatio());
    }

    /** The learning rate of step {@code step} (0-based). */
    public double at(long step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        long decaySteps = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
        double min = peak * minRatio;
        return min + (peak - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
