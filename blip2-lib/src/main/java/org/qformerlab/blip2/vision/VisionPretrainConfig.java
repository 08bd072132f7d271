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

    public VisionPretrainConfig withSteps(int s) {
        return new VisionPretrainConfig(s, batchSize, learningRate, warmupSteps, weightDecay, maskRatio, normPixLoss,
                decoderWidth, decoderLayers, decoderHeads, seed, logEvery);
    }

    public VisionPretrainConfig withLearningRate(double lr) {
        return new VisionPretrainConfig(steps, batchSize, lr, warmupSteps, weightDecay, maskRatio, normPixLoss,
                decoderWidth, decoderLayers, decoderHeads, seed, logEvery);
    }

    public VisionPretrainConfig withMaskRatio(double ratio) {
        return new VisionPretrainConfig(steps, batchSize, learningRate, warmupSteps, weightDecay, ratio, normPixLoss,
                decoderWidth, decoderLayers, decoderHeads, seed, logEvery);
    }

    public VisionPretrainConfig withNormPixLoss(boolean on) {
        return new VisionPretrainConfig(steps, batchSize, learningRate, warmupSteps, weightDecay, maskRatio, on,
                decoderWidth, decoderLayers, decoderHeads, seed, logEvery);
    }

    public VisionPretrainConfig withBatch(int steps, int batch) {
        return new VisionPretrainConfig(steps, batch, learningRate, warmupSteps, weightDecay, maskRatio, normPixLoss,
                decoderWidth, decoderLayers, decoderHeads, seed, logEvery);
    }

    public VisionPretrainConfig withSeed(long s) {
        return new VisionPretrainConfig(steps, batchSize, learningRate, warmupSteps, weightDecay, maskRatio, normPixLoss,
                decoderWidth, decoderLayers, decoderHeads, s, logEvery);
    }
}
