package org.qformerlab.blip2.vision;

import static org.qformerlab.blip2.config.ConfigException.require;

import org.qformerlab.blip2.data.ShapesWorldConfig;
import org.qformerlab.blip2.train.TrainConfig;

/**
 * How the embedded default's image encoder is pretrained on images alone by {@link AttributeHeads}
 * ({@link AttributePretraining}), on an {@link org.qformerlab.blip2.data.ImagePool} of its own.
 *
 * @param steps optimiser steps
 * @param batchSize images per step
 * @param learningRate peak AdamW learning rate (after warm-up; cosine decay to a tenth of it)
 * @param warmupSteps linear warm-up steps
 * @param weightDecay AdamW's decoupled weight decay
 * @param shapeWeight weight of the two shape terms ({@code cell_shape}, {@code patch_shape}) in the
 *     summed loss; the others weigh 1. Shape is the attribute learned last: colour, size, place and
 *     count are read off a patch's pixels, shape only off several patches together
 * @param poolSize scenes in the image pool; with {@code steps * batchSize} of them every image is seen once
 * @param poolSeed seeds the pool's scenes
 * @param disjointFrom the shapes world whose images the pool avoids (its maxObjects is the pool's);
 *     the default world (4000 / 300 / 300 / 300 images, seed 1234) contains the quickstart's, whose
 *     splits are prefixes of it
 * @param seed seeds the initialisation and the image order
 * @param logEvery print a progress line every this many steps
 */
public record AttributePretrainConfig(
        int steps,
        int batchSize,
        double learningRate,
        int warmupSteps,
        double weightDecay,
        double shapeWeight,
        int poolSize,
        long poolSeed,
        ShapesWorldConfig disjointFrom,
        long seed,
        int logEvery) {

    public AttributePretrainConfig {
        String c = "AttributePretrainConfig.";
        TrainConfig.requireSchedule(c, steps, batchSize, learningRate, warmupSteps, weightDecay);
        require(shapeWeight > 0, c + "shapeWeight=" + shapeWeight + " must be positive");
        require(poolSize > 0, c + "poolSize=" + poolSize + " must be at least 1");
        require(disjointFrom != null, c + "disjointFrom is missing: name the world the pool must not overlap");
        require(logEvery > 0, c + "logEvery=" + logEvery + " must be at least 1");
    }

    /**
     * The embedded default's recipe: 3000 steps of 32 images, two and a half passes over a
     * 38,400-scene pool; see {@link VisionConfig#supervised()} for what it measured.
     */
    public static AttributePretrainConfig embedded() {
        return new AttributePretrainConfig(3000, 32, 2e-3, 100, 0.05, 3.0, 1200 * 32, 20_251_201L, ShapesWorldConfig.defaults(),
                1, 50);
    }

    /**
     * Seconds on {@link VisionConfig#tiny()}: for tests. Its world (32x32 images, 600 training and 150
     * test images) is big enough to fit a linear probe on.
     */
    public static AttributePretrainConfig tiny() {
        return new AttributePretrainConfig(100, 32, 3e-3, 10, 0.0, 1.0, 3200, 20_251_201L,
                ShapesWorldConfig.defaults(7).withImageSize(32).withCounts(600, 12, 150, 12), 1, 25);
    }

    public AttributePretrainConfig withPool(int size, long poolSeedValue) {
        return toBuilder().poolSize(size).poolSeed(poolSeedValue).build();
    }

    /** This config with {@code steps} replaced. */
    public AttributePretrainConfig withSteps(int steps) {
        return toBuilder().steps(steps).build();
    }

    /** This config with {@code batchSize} replaced. */
    public AttributePretrainConfig withBatchSize(int batchSize) {
        return toBuilder().batchSize(batchSize).build();
    }

    /** This config with {@code learningRate} replaced. */
    public AttributePretrainConfig withLearningRate(double learningRate) {
        return toBuilder().learningRate(learningRate).build();
    }

    /** This config with {@code warmupSteps} replaced. */
    public AttributePretrainConfig withWarmupSteps(int warmupSteps) {
        return toBuilder().warmupSteps(warmupSteps).build();
    }

    /** This config with {@code weightDecay} replaced. */
    public AttributePretrainConfig withWeightDecay(double weightDecay) {
        return toBuilder().weightDecay(weightDecay).build();
    }

    /** This config with {@code shapeWeight} replaced. */
    public AttributePretrainConfig withShapeWeight(double shapeWeight) {
        return toBuilder().shapeWeight(shapeWeight).build();
    }

    /** This config with {@code poolSize} replaced. */
    public AttributePretrainConfig withPoolSize(int poolSize) {
        return toBuilder().poolSize(poolSize).build();
    }

    /** This config with {@code poolSeed} replaced. */
    public AttributePretrainConfig withPoolSeed(long poolSeed) {
        return toBuilder().poolSeed(poolSeed).build();
    }

    /** This config with {@code disjointFrom} replaced. */
    public AttributePretrainConfig withDisjointFrom(ShapesWorldConfig disjointFrom) {
        return toBuilder().disjointFrom(disjointFrom).build();
    }

    /** This config with {@code seed} replaced. */
    public AttributePretrainConfig withSeed(long seed) {
        return toBuilder().seed(seed).build();
    }

    /** This config with {@code logEvery} replaced. */
    public AttributePretrainConfig withLogEvery(int logEvery) {
        return toBuilder().logEvery(logEvery).build();
    }

    /** A builder starting from this config: name the fields that change, then {@link Builder#build}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Named construction of a {@link AttributePretrainConfig}: starts from a config, every field has a setter, and the
     * record validates once, in {@link #build} (so fields that must agree can change together).
     */
    public static final class Builder {
        private int steps;
        private int batchSize;
        private double learningRate;
        private int warmupSteps;
        private double weightDecay;
        private double shapeWeight;
        private int poolSize;
        private long poolSeed;
        private ShapesWorldConfig disjointFrom;
        private long seed;
        private int logEvery;

        private Builder(AttributePretrainConfig c) {
            this.steps = c.steps();
            this.batchSize = c.batchSize();
            this.learningRate = c.learningRate();
            this.warmupSteps = c.warmupSteps();
            this.weightDecay = c.weightDecay();
            this.shapeWeight = c.shapeWeight();
            this.poolSize = c.poolSize();
            this.poolSeed = c.poolSeed();
            this.disjointFrom = c.disjointFrom();
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

        public Builder shapeWeight(double shapeWeight) {
            this.shapeWeight = shapeWeight;
            return this;
        }

        public Builder poolSize(int poolSize) {
            this.poolSize = poolSize;
            return this;
        }

        public Builder poolSeed(long poolSeed) {
            this.poolSeed = poolSeed;
            return this;
        }

        public Builder disjointFrom(ShapesWorldConfig disjointFrom) {
            this.disjointFrom = disjointFrom;
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

        public AttributePretrainConfig build() {
            return new AttributePretrainConfig(steps, batchSize, learningRate, warmupSteps, weightDecay, shapeWeight, poolSize, poolSeed, disjointFrom, seed, logEvery);
        }
    }
}
