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

    /** This config with {@code peak} replaced. */
    public LearningRateSchedule withPeak(double peak) {
        return toBuilder().peak(peak).build();
    }

    /** This config with {@code warmupSteps} replaced. */
    public LearningRateSchedule withWarmupSteps(int warmupSteps) {
        return toBuilder().warmupSteps(warmupSteps).build();
    }

    /** This config with {@code totalSteps} replaced. */
    public LearningRateSchedule withTotalSteps(int totalSteps) {
        return toBuilder().totalSteps(totalSteps).build();
    }

    /** This config with {@code minRatio} replaced. */
    public LearningRateSchedule withMinRatio(double minRatio) {
        return toBuilder().minRatio(minRatio).build();
    }

    /** A builder starting from this config: name the fields that change, then {@link Builder#build}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Named construction of a {@link LearningRateSchedule}: starts from a config, every field has a setter, and the
     * record validates once, in {@link #build} (so fields that must agree can change together).
     */
    public static final class Builder {
        private double peak;
        private int warmupSteps;
        private int totalSteps;
        private double minRatio;

        private Builder(LearningRateSchedule c) {
            this.peak = c.peak();
            this.warmupSteps = c.warmupSteps();
            this.totalSteps = c.totalSteps();
            this.minRatio = c.minRatio();
        }

        public Builder peak(double peak) {
            this.peak = peak;
            return this;
        }

        public Builder warmupSteps(int warmupSteps) {
            this.warmupSteps = warmupSteps;
            return this;
        }

        public Builder totalSteps(int totalSteps) {
            this.totalSteps = totalSteps;
            return this;
        }

        public Builder minRatio(double minRatio) {
            this.minRatio = minRatio;
            return this;
        }

        public LearningRateSchedule build() {
            return new LearningRateSchedule(peak, warmupSteps, totalSteps, minRatio);
        }
    }
}
