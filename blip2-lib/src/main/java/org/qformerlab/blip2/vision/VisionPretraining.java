package org.qformerlab.blip2.vision;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.io.PrintStream;
import java.util.List;
import java.util.SplittableRandom;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.train.AdamW;
import org.qformerlab.blip2.train.GradientClipping;
import org.qformerlab.blip2.train.LearningRateSchedule;
import org.qformerlab.blip2.train.TrainingDivergedException;

/**
 * Pretrains the embedded default's image encoder on images alone, before BLIP-2 ever shows it a
 * caption: BLIP-2's premise is that a unimodal image model already exists. The objective is the
 * {@link MaskedAutoencoder}'s. One step, top to bottom:
 *
 * <ol>
 *   <li>take the next {@code batchSize} images of a shuffled pass over the bank and draw their masks;
 *   <li>in a fresh scope (an {@link NDManager} closed after the step): reconstruction loss, backward;
 *   <li>clip the gradient norm to 1, AdamW update (betas 0.9 / 0.95 as MAE) at the warm-up + cosine rate.
 * </ol>
 *
 * The decoder and the optimizer live in a manager of their own that is closed at the end; what
 * comes back is the encoder alone, in the caller's manager, frozen.
 */
public final class VisionPretraining {

    /** Minimum learning rate as a fraction of the peak, at the end of the cosine. */
    private static final double MIN_LR_RATIO = 0.1;

    private VisionPretraining() {}

    /** The pretrained encoder and the loss of every step. */
    public record Result(VisionTransformer encoder, float[] losses, double seconds) {

        /** Mean loss of the first {@code n} steps. */
        public double firstLoss(int n) {
            return mean(0, Math.min(n, losses.length));
        }

        /** Mean loss of the last {@code n} steps. */
        public double lastLoss(int n) {
            return mean(Math.max(0, losses.length - n), losses.length);
        }

        private double mean(int from, int to) {
            double s = 0;
            for (int i = from; i < to; i++) {
                s += losses[i];
            }
            return s / Math.max(1, to - from);
        }
    }

    /**
     * Pretrains a new encoder of shape {@code vision} on every image of {@code images}.
     *
     * @param manager where the returned (frozen) encoder lives
     * @param log progress lines (every {@code logEvery} steps), or null for none
     */
    public static Result run(VisionConfig vision, VisionPretrainConfig config, PixelBank images, NDManager manager,
                             PrintStream log) {
        if (images.size() == 0) {
            throw new IllegalArgumentException("no images to pretrain the image encoder on: the training split is empty");
        }
        long t0 = System.nanoTime();
        float[] losses = new float[config.steps()];
        Seeds.set(config.seed());
        try (NDManager work = manager.newSubManager()) {
            MaskedAutoencoder mae = MaskedAutoencoder.create(vision, config, work);
            List<Parameter> trainable = List.copyOf(mae.namedParameters().values());
            LearningRateSchedule schedule =
                    new LearningRateSchedule(config.learningRate(), config.warmupSteps(), config.steps(), MIN_LR_RATIO);
            ImageOrder order = new ImageOrder(images.size(), new SplittableRandom(config.seed()));
            SplittableRandom maskRng = new SplittableRandom(config.seed() ^ 0x4D41534BL); // "MASK"
            try (AdamW optimizer = new AdamW(mae.namedParameters(), 0.9, 0.95, 1e-8, config.weightDecay())) {
                for (int step = 0; step < config.steps(); step++) {
                    int[] rows = order.next(config.batchSize());
                    PatchMask mask = PatchMask.random(rows.length, vision.numPatches(), config.maskRatio(), maskRng);
                    try (NDManager scope = work.newSubManager()) {
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray loss = mae.loss(images.pixels(scope, rows), mask);
                            losses[step] = loss.getFloat();
                            if (!Float.isFinite(losses[step])) {
                                throw new TrainingDivergedException(step + 1, "masked-autoencoder loss", losses[step], null);
                            }
                            gc.backward(loss);
                        }
                        GradientClipping.clip(trainable, 1.0, scope);
                        optimizer.step(schedule.at(step));
                    }
                    if (log != null && ((step + 1) % config.logEvery() == 0 || step + 1 == config.steps())) {
                        double seconds = (System.nanoTime() - t0) / 1e9;
                        log.printf("vision pretraining step %d/%d | reconstruction %.4f | lr %.1e | %.1f images/s%n",
                                step + 1, config.steps(), losses[step], schedule.at(step),
                                (step + 1) * (double) config.batchSize() / seconds);
                    }
                }
            }
            VisionTransformer encoder = VisionTransformer.create(vision, manager);
            Weights.load(encoder, Weights.tensors(mae.encoder(), VisionTransformer.NAMES), VisionTransformer.NAMES,
                    Weights.Policy.strict());
            return new Result(encoder.freeze(), losses, (System.nanoTime() - t0) / 1e9);
        }
    }
}
