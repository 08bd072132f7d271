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

    public AttributePretrainConfig withSteps(int s) {
        return new AttributePretrainConfig(s, batchSize, learningRate, warmupSteps, weightDecay, shapeWeight, poolSize, poolSeed,
                disjointFrom, seed, logEvery);
    }

    public AttributePretrainConfig withPool(int size, long poolSeedValue) {
        return new AttributePretrainConfig(steps, batchSize, learningRate, warmupSteps, weightDecay, shapeWeight, size, poolSeedValue,
                disjointFrom, seed, logEvery);
    }

    public AttributePretrainConfig withLearningRate(double lr) {
        return new AttributePretrainConfig(steps, batchSize, lr, warmupSteps, weightDecay, shapeWeight, poolSize, poolSeed,
                disjointFrom, seed, logEvery);
    }

    public AttributePretrainConfig withBatchSize(int b) {
        return new AttributePretrainConfig(steps, b, learningRate, warmupSteps, weightDecay, shapeWeight, poolSize, poolSeed,
                disjointFrom, seed, logEvery);
    }

    public AttributePretrainConfig withLogEvery(int every) {
        return new AttributePretrainConfig(steps, batchSize, learningRate, warmupSteps, weightDecay, shapeWeight, poolSize, poolSeed,
                disjointFrom, seed, every);
    }
}
