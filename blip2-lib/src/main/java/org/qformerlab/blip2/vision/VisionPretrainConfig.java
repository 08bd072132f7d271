package org.qformerlab.blip2.vision;

import static org.qformerlab.blip2.config.ConfigException.require;
import org.qformerlab.blip2.train.TrainConfig;

/**
 * How the embedded default's image encoder is pretrained on images alone ({@link MaskedAutoencoder}).
 *
 * @param steps optimiser steps
 * @param batchSize images per step
 * @param learningRate peak AdamW learning rate (after warm-up; cosine decay to a tenth of it)
 * @param warmupSteps linear warm-up steps
 * @param weightDecay AdamW's decoupled weight decay (0.05 as in MAE)
 * @param maskRatio fraction of each image's patches hidden from the encoder (0.75 as in MAE)
 * @param normPixLoss predict each patch's pixels normalised by that patch's own mean and variance
 *     (MAE's {@code norm_pix_loss}): plain background patches become trivial and the loss is spent on
 *     patches with edges, i.e. on the objects
 * @param decoderWidth width of the light decoder (thrown away after pretraining)
 * @param decoderLayers transformer blocks of the decoder
 * @param decoderHeads attention heads of the decoder; must divide decoderWidth
 * @param seed seeds the initialisation, the image order and the masks
 * @param logEvery print a progress line every this many steps
 */
public record VisionPretrainConfig(
        int steps,
        int batchSize,
        double learningRate,
        int warmupSteps,
        double weightDecay,
        double maskRatio,
        boolean normPixLoss,
        int decoderWidth,
        int decoderLayers,
        int decoderHeads,
        long seed,
        int logEvery) {

    public VisionPretrainConfig {
        String c = "VisionPretrainConfig.";
        TrainConfig.requireSchedule(c, steps, batchSize, learningRate, warmupSteps, weightDecay);
        require(maskRatio > 0 && maskRatio < 1,
                c + "maskRatio=" + maskRatio + " must be strictly between 0 and 1 (some patches seen, some predicted); MAE uses 0.75");
        require(decoderWidth > 0, c + "decoderWidth=" + decoderWidth + " must be positive");
        require(decoderLayers > 0, c + "decoderLayers=" + decoderLayers + " must be at least 1");
        require(decoderHeads > 0 && decoderWidth % decoderHeads == 0,
                c + "decoderHeads=" + decoderHeads + " must be positive and divide decoderWidth=" + decoderWidth);
        require(logEvery > 0, c + "logEvery=" + logEvery + " must be at least 1");
    }

    /**
     * The embedded default's pretraining: 250 steps of 64 images (four passes over the 4000 training
     * images), half of the patches hidden, per-patch normalised targets, a one-block decoder of width
     * 128. Half rather than MAE's 75%: objects here cover one to four of the 64 patches, and with 75%
     * hidden most objects vanish entirely, leaving only background to learn (a linear probe of the
     * features scored better with 0.5 on every attribute but the object count).
     */
    public static VisionPretrainConfig embedded() {
        return new VisionPretrainConfig(250, 64, 1e-3, 25, 0.05, 0.5, true, 128, 1, 4, 0, 50);
    }

    /** A few seconds on a tiny world: for tests. */
    public static VisionPretrainConfig tiny() {
        return new VisionPretrainConfig(60, 16, 3e-3, 5, 0.0, 0.75, false, 32, 1, 4, 0, 20);
    }

    public VisionPretrainConfig withBatch(int steps, int batch) {
        return toBuilder().steps(steps).batchSize(batch).build();
    }

    /** This config with {@code steps} replaced. */
    public VisionPretrainConfig withSteps(int steps) {
        return toBuilder().steps(steps).build();
    }

    /** This config with {@code batchSize} replaced. */
    public VisionPretrainConfig withBatchSize(int batchSize) {
        return toBuilder().batchSize(batchSize).build();
    }

    /** This config with {@code learningRate} replaced. */
    public VisionPretrainConfig withLearningRate(double learningRate) {
        return toBuilder().learningRate(learningRate).build();
    }

    /** This config with {@code warmupSteps} replaced. */
    public VisionPretrainConfig withWarmupSteps(int warmupSteps) {
        return toBuilder().warmupSteps(warmupSteps).build();
    }

    /** This config with {@code weightDecay} replaced. */
    public VisionPretrainConfig withWeightDecay(double weightDecay) {
        return toBuilder().weightDecay(weightDecay).build();
    }

    /** This config with {@code maskRatio} replaced. */
    public VisionPretrainConfig withMaskRatio(double maskRatio) {
        return toBuilder().maskRatio(maskRatio).build();
    }

    /** This config with {@code normPixLoss} replaced. */
    public VisionPretrainConfig withNormPixLoss(boolean normPixLoss) {
        return toBuilder().normPixLoss(normPixLoss).build();
    }

    /** This config with {@code decoderWidth} replaced. */
    public VisionPretrainConfig withDecoderWidth(int decoderWidth) {
        return toBuilder().decoderWidth(decoderWidth).build();
    }

    /** This config with {@code decoderLayers} replaced. */
    public VisionPretrainConfig withDecoderLayers(int decoderLayers) {
        return toBuilder().decoderLayers(decoderLayers).build();
    }

    /** This config with {@code decoderHeads} replaced. */
    public VisionPretrainConfig withDecoderHeads(int decoderHeads) {
        return toBuilder().decoderHeads(decoderHeads).build();
    }

    /** This config with {@code seed} replaced. */
    public VisionPretrainConfig withSeed(long seed) {
        return toBuilder().seed(seed).build();
    }

    /** This config with {@code logEvery} replaced. */
    public VisionPretrainConfig withLogEvery(int logEvery) {
        return toBuilder().logEvery(logEvery).build();
    }

    /** A builder starting from this config: name the fields that change, then {@link Builder#build}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Named construction of a {@link VisionPretrainConfig}: starts from a config, every field has a setter, and the
     * record validates once, in {@link #build} (so fields that must agree can change together).
     */
    public static final class Builder {
        private int steps;
        private int batchSize;
        private double learningRate;
        private int warmupSteps;
        private double weightDecay;
        private double maskRatio;
        private boolean normPixLoss;
        private int decoderWidth;
        private int decoderLayers;
        private int decoderHeads;
        private long seed;
        private int logEvery;

        private Builder(VisionPretrainConfig c) {
            this.steps = c.steps();
            this.batchSize = c.batchSize();
            this.learningRate = c.learningRate();
            this.warmupSteps = c.warmupSteps();
            this.weightDecay = c.weightDecay();
            this.maskRatio = c.maskRatio();
            this.normPixLoss = c.normPixLoss();
            this.decoderWidth = c.decoderWidth();
            this.decoderLayers = c.decoderLayers();
            this.decoderHeads = c.decoderHeads();
            this.seed = c.seed();
            this.logEvery = c.logEvery();
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

        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public Builder maskRatio(double maskRatio) {
            this.maskRatio = maskRatio;
            return this;
        }

        public Builder normPixLoss(boolean normPixLoss) {
            this.normPixLoss = normPixLoss;
            return this;
        }

        public Builder decoderWidth(int decoderWidth) {
            this.decoderWidth = decoderWidth;
            return this;
        }

        public Builder decoderLayers(int decoderLayers) {
            this.decoderLayers = decoderLayers;
            return this;
        }

        public Builder decoderHeads(int decoderHeads) {
            this.decoderHeads = decoderHeads;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder logEvery(int logEvery) {
            this.logEvery = logEvery;
            return this;
        }

        public VisionPretrainConfig build() {
            return new VisionPretrainConfig(steps, batchSize, learningRate, warmupSteps, weightDecay, maskRatio, normPixLoss, decoderWidth, decoderLayers, decoderHeads, seed, logEvery);
        }
    }
}
