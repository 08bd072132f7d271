package org.qformerlab.blip2.train;

import static org.qformerlab.blip2.config.ConfigException.require;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.qformerlab.blip2.nn.Precision;

/**
 * How a model is trained: optimiser, schedule, regularisation, seeds and bookkeeping. Every field is
 * a knob an ablation may turn.
 *
 * @param steps number of optimiser steps
 * @param batchSize pairs per step
 * @param learningRate peak learning rate (after warm-up)
 * @param warmupSteps steps of linear warm-up from 0 to the peak
 * @param minLearningRateRatio the cosine decay ends at {@code learningRate * minLearningRateRatio}
 * @param weightDecay AdamW's decoupled weight decay (0.05 in BLIP-2)
 * @param beta1 AdamW's first-moment decay (0.9)
 * @param beta2 AdamW's second-moment decay (0.999; BLIP-2 uses 0.98 in stage 2)
 * @param epsilon AdamW's epsilon (1e-8)
 * @param gradClipNorm clip the global gradient norm to this (0 = no clipping)
 * @param seed seeds model initialisation, data order, dropout and negative sampling
 * @param evalEvery evaluate every this many steps (0 = only at the end)
 * @param checkpointEvery write a checkpoint every this many steps (0 = only at the end)
 * @param logEvery print a progress line every this many steps
 * @param device auto, cpu, gpu or gpu:N
 * @param perLossMoments with an objective of several weighted losses (stage 1's ITC, ITM, ITG):
 *     false (BLIP-2, LAVIS) back-propagates their weighted sum and keeps one pair of AdamW moments;
 *     true keeps one pair per loss, so each loss takes its own normalised step, scaled by its
 *     weight, and a loss with large gradients no longer shrinks the steps of the others on the
 *     weights they share ({@link AdamW}). Costs one backward pass per loss. A single loss (stage 2,
 *     the pretrainings) trains the same either way
 * @param precision the compute format of the training forward pass: {@code float32} (the default),
 *     or mixed precision in {@code float16} or {@code bfloat16} (GPU only; bfloat16 is refused while DJL's
 *     JNI cannot create it, see {@link Precision}): the weights and AdamW's
 *     moments stay float32, linear layers and matrix products compute in the reduced format
 *     ({@link org.qformerlab.blip2.nn.Autocast}), softmax, norms and losses in float32; float16 adds
 *     dynamic loss scaling ({@link org.qformerlab.blip2.nn.LossScaler}). Absent from a file means
 *     float32, and a float32 config is written without it, so float32 runs read and write exactly
 *     what they did before the field existed
 */
public record TrainConfig(
        int steps,
        int batchSize,
        double learningRate,
        int warmupSteps,
        double minLearningRateRatio,
        double weightDecay,
        double beta1,
        double beta2,
        double epsilon,
        double gradClipNorm,
        long seed,
        int evalEvery,
        int checkpointEvery,
        int logEvery,
        String device,
        boolean perLossMoments,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = Float32.class) String precision) {

    /** Leaves {@code precision} out of a written config when it is float32, the default. */
    static final class Float32 {
        @Override
        public boolean equals(Object value) {
            return value == null || Precision.FLOAT32.label().equals(value);
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    /** With one pair of AdamW moments for the whole objective, as BLIP-2. */
    public TrainConfig(
            int steps, int batchSize, double learningRate, int warmupSteps, double minLearningRateRatio,
            double weightDecay, double beta1, double beta2, double epsilon, double gradClipNorm, long seed,
            int evalEvery, int checkpointEvery, int logEvery, String device) {
        this(steps, batchSize, learningRate, warmupSteps, minLearningRateRatio, weightDecay, beta1, beta2, epsilon,
                gradClipNorm, seed, evalEvery, checkpointEvery, logEvery, device, false);
    }

    /** In float32. */
    public TrainConfig(
            int steps, int batchSize, double learningRate, int warmupSteps, double minLearningRateRatio,
            double weightDecay, double beta1, double beta2, double epsilon, double gradClipNorm, long seed,
            int evalEvery, int checkpointEvery, int logEvery, String device, boolean perLossMoments) {
        this(steps, batchSize, learningRate, warmupSteps, minLearningRateRatio, weightDecay, beta1, beta2, epsilon,
                gradClipNorm, seed, evalEvery, checkpointEvery, logEvery, device, perLossMoments, "float32");
    }

    public TrainConfig {
        String c = "TrainConfig.";
        requireSchedule(c, steps, batchSize, learningRate, warmupSteps, weightDecay);
        require(minLearningRateRatio >= 0 && minLearningRateRatio <= 1,
                c + "minLearningRateRatio=" + minLearningRateRatio + " must be in [0, 1]");
        require(beta1 >= 0 && beta1 < 1, c + "beta1=" + beta1 + " must be in [0, 1)");
        require(beta2 >= 0 && beta2 < 1, c + "beta2=" + beta2 + " must be in [0, 1)");
        require(epsilon > 0, c + "epsilon=" + epsilon + " must be positive");
        require(gradClipNorm >= 0, c + "gradClipNorm=" + gradClipNorm + " must be >= 0 (0 = off)");
        require(evalEvery >= 0, c + "evalEvery=" + evalEvery + " must be >= 0 (0 = at the end only)");
        require(checkpointEvery >= 0, c + "checkpointEvery=" + checkpointEvery + " must be >= 0");
        require(logEvery > 0, c + "logEvery=" + logEvery + " must be at least 1");
        require(device != null, c + "device must be auto, cpu, gpu or gpu:N");
        Precision p;
        try {
            p = Precision.parse(precision == null ? Precision.FLOAT32.label() : precision);
        } catch (IllegalArgumentException e) {
            throw new org.qformerlab.blip2.config.ConfigException(c + "precision: " + e.getMessage());
        }
        precision = p.label();
        require(!(p == Precision.FLOAT16 && perLossMoments), c + "precision=float16 with perLossMoments=true:"
                + " float16's loss scaling skips a whole step on an overflow, but moments per loss are updated loss by"
                + " loss; use perLossMoments=false (bfloat16 needs no loss scaling, but DJL's PyTorch JNI aborts on it"
                + " today: environment/gpu.md)");
    }

    /** The compute format of {@link #precision}. */
    public Precision computePrecision() {
        return Precision.parse(precision);
    }

    /**
     * The checks every training recipe shares (stage 1, stage 2 and the two pretrainings), with
     * {@code prefix} naming the record in the message.
     */
    public static void requireSchedule(
            String prefix, int steps, int batchSize, double learningRate, int warmupSteps, double weightDecay) {
        require(steps > 0, prefix + "steps=" + steps + " must be at least 1");
        require(batchSize > 0, prefix + "batchSize=" + batchSize + " must be at least 1");
        require(learningRate > 0, prefix + "learningRate=" + learningRate + " must be positive");
        require(warmupSteps >= 0, prefix + "warmupSteps=" + warmupSteps + " must be >= 0");
        require(weightDecay >= 0, prefix + "weightDecay=" + weightDecay + " must be >= 0");
    }

    /**
     * The unimodal pretrainings' shared recipe (the shipped ViT's, the masked autoencoder's, the frozen
     * LM's): AdamW with beta1 0.9 and the given beta2, the gradient norm clipped to 1, the cosine ending at
     * a tenth of the peak, on the CPU or GPU the machine has; no validation, no periodic checkpoint.
     */
    public static TrainConfig pretraining(int steps, int batchSize, double learningRate, int warmupSteps,
                                          double weightDecay, double beta2, long seed, int logEvery) {
        return new TrainConfig(steps, batchSize, learningRate, warmupSteps, 0.1, weightDecay, 0.9, beta2, 1e-8, 1.0,
                seed, 0, 0, logEvery, "auto");
    }

    /** BLIP-2's stage-1 recipe scaled to the embedded default. */
    public static TrainConfig stage1Default() {
        return new TrainConfig(1500, 32, 3e-4, 100, 0.1, 0.05, 0.9, 0.999, 1e-8, 1.0, 0, 500, 500, 50, "auto");
    }

    public TrainConfig withSteps(int s) {
        return new TrainConfig(s, batchSize, learningRate, warmupSteps, minLearningRateRatio, weightDecay,
                beta1, beta2, epsilon, gradClipNorm, seed, evalEvery, checkpointEvery, logEvery, device,
                perLossMoments, precision);
    }

    public TrainConfig withSeed(long s) {
        return new TrainConfig(steps, batchSize, learningRate, warmupSteps, minLearningRateRatio, weightDecay,
                beta1, beta2, epsilon, gradClipNorm, s, evalEvery, checkpointEvery, logEvery, device, perLossMoments,
                precision);
    }

    public TrainConfig withPerLossMoments(boolean perLoss) {
        return new TrainConfig(steps, batchSize, learningRate, warmupSteps, minLearningRateRatio, weightDecay,
                beta1, beta2, epsilon, gradClipNorm, seed, evalEvery, checkpointEvery, logEvery, device, perLoss,
                precision);
    }

    public TrainConfig withBookkeeping(int evalEvery, int checkpointEvery, int logEvery) {
        return new TrainConfig(steps, batchSize, learningRate, warmupSteps, minLearningRateRatio, weightDecay,
                beta1, beta2, epsilon, gradClipNorm, seed, evalEvery, checkpointEvery, logEvery, device,
                perLossMoments, precision);
    }

    /** This config with {@code batchSize} replaced. */
    public TrainConfig withBatchSize(int batchSize) {
        return toBuilder().batchSize(batchSize).build();
    }

    /** This config with {@code learningRate} replaced. */
    public TrainConfig withLearningRate(double learningRate) {
        return toBuilder().learningRate(learningRate).build();
    }

    /** This config with {@code warmupSteps} replaced. */
    public TrainConfig withWarmupSteps(int warmupSteps) {
        return toBuilder().warmupSteps(warmupSteps).build();
    }

    /** This config with {@code minLearningRateRatio} replaced. */
    public TrainConfig withMinLearningRateRatio(double minLearningRateRatio) {
        return toBuilder().minLearningRateRatio(minLearningRateRatio).build();
    }

    /** This config with {@code weightDecay} replaced. */
    public TrainConfig withWeightDecay(double weightDecay) {
        return toBuilder().weightDecay(weightDecay).build();
    }

    /** This config with {@code beta1} replaced. */
    public TrainConfig withBeta1(double beta1) {
        return toBuilder().beta1(beta1).build();
    }

    /** This config with {@code beta2} replaced. */
    public TrainConfig withBeta2(double beta2) {
        return toBuilder().beta2(beta2).build();
    }

    /** This config with {@code epsilon} replaced. */
    public TrainConfig withEpsilon(double epsilon) {
        return toBuilder().epsilon(epsilon).build();
    }

    /** This config with {@code gradClipNorm} replaced. */
    public TrainConfig withGradClipNorm(double gradClipNorm) {
        return toBuilder().gradClipNorm(gradClipNorm).build();
    }

    /** This config with {@code evalEvery} replaced. */
    public TrainConfig withEvalEvery(int evalEvery) {
        return toBuilder().evalEvery(evalEvery).build();
    }

    /** This config with {@code checkpointEvery} replaced. */
    public TrainConfig withCheckpointEvery(int checkpointEvery) {
        return toBuilder().checkpointEvery(checkpointEvery).build();
    }

    /** This config with {@code logEvery} replaced. */
    public TrainConfig withLogEvery(int logEvery) {
        return toBuilder().logEvery(logEvery).build();
    }

    /** This config with {@code device} replaced. */
    public TrainConfig withDevice(String device) {
        return toBuilder().device(device).build();
    }

    /** This config with {@code precision} replaced ({@code float32}, {@code float16} or {@code bfloat16}). */
    public TrainConfig withPrecision(String precision) {
        return toBuilder().precision(precision).build();
    }

    /** A builder starting from this config: name the fields that change, then {@link Builder#build}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Named construction of a {@link TrainConfig}: starts from a config, every field has a setter, and the
     * record validates once, in {@link #build} (so fields that must agree can change together).
     */
    public static final class Builder {
        private int steps;
        private int batchSize;
        private double learningRate;
        private int warmupSteps;
        private double minLearningRateRatio;
        private double weightDecay;
        private double beta1;
        private double beta2;
        private double epsilon;
        private double gradClipNorm;
        private long seed;
        private int evalEvery;
        private int checkpointEvery;
        private int logEvery;
        private String device;
        private boolean perLossMoments;
        private String precision;

        private Builder(TrainConfig c) {
            this.steps = c.steps();
            this.batchSize = c.batchSize();
            this.learningRate = c.learningRate();
            this.warmupSteps = c.warmupSteps();
            this.minLearningRateRatio = c.minLearningRateRatio();
            this.weightDecay = c.weightDecay();
            this.beta1 = c.beta1();
            this.beta2 = c.beta2();
            this.epsilon = c.epsilon();
            this.gradClipNorm = c.gradClipNorm();
            this.seed = c.seed();
            this.evalEvery = c.evalEvery();
            this.checkpointEvery = c.checkpointEvery();
            this.logEvery = c.logEvery();
            this.device = c.device();
            this.perLossMoments = c.perLossMoments();
            this.precision = c.precision();
        }

        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder learningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        public Builder warmupSteps(int warmupSteps) {
            this.warmupSteps = warmupSteps;
            return this;
        }

        public Builder minLearningRateRatio(double minLearningRateRatio) {
            this.minLearningRateRatio = minLearningRateRatio;
            return this;
        }

        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public Builder beta1(double beta1) {
            this.beta1 = beta1;
            return this;
        }

        public Builder beta2(double beta2) {
            this.beta2 = beta2;
            return this;
        }

        public Builder epsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        public Builder gradClipNorm(double gradClipNorm) {
            this.gradClipNorm = gradClipNorm;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder evalEvery(int evalEvery) {
            this.evalEvery = evalEvery;
            return this;
        }

        public Builder checkpointEvery(int checkpointEvery) {
            this.checkpointEvery = checkpointEvery;
            return this;
        }

        public Builder logEvery(int logEvery) {
            this.logEvery = logEvery;
            return this;
        }

        public Builder device(String device) {
            this.device = device;
            return this;
        }

        public Builder perLossMoments(boolean perLossMoments) {
            this.perLossMoments = perLossMoments;
            return this;
        }

        public Builder precision(String precision) {
            this.precision = precision;
            return this;
        }

        public TrainConfig build() {
            return new TrainConfig(steps, batchSize, learningRate, warmupSteps, minLearningRateRatio, weightDecay, beta1, beta2, epsilon, gradClipNorm, seed, evalEvery, checkpointEvery, logEvery, device, perLossMoments, precision);
        }
    }
}
