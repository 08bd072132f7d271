package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.train.BatchSource;
import org.qformerlab.blip2.train.RunFolder;
import org.qformerlab.blip2.train.TrainConfig;
import org.qformerlab.blip2.train.Trainer;

/**
 * Pretrains the embedded default's image encoder on images alone, before BLIP-2 ever shows it a
 * caption: BLIP-2's premise is that a unimodal image model already exists. The objective is the
 * {@link MaskedAutoencoder}'s. It runs through the {@link Trainer} (checkpoints, exact resume, the
 * stop on a non-finite loss or gradient, the metrics log); one step, top to bottom:
 *
 * <ol>
 *   <li>take the step's {@code batchSize} images of shuffled passes over the bank and draw their masks;
 *   <li>in a fresh scope (an {@link NDManager} closed after the step): reconstruction loss, backward;
 *   <li>clip the gradient norm to 1, AdamW update (betas 0.9 / 0.95 as MAE) at the warm-up + cosine rate.
 * </ol>
 *
 * The decoder and the optimizer live in a manager of their own that is closed at the end; what
 * comes back is the encoder alone, in the caller's manager, frozen.
 */
public final class VisionPretraining {

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

    /** A step's images (rows of the bank) and which of their patches the encoder sees. */
    private record Batch(int[] rows, PatchMask mask) {}

    /**
     * The trainer's recipe for {@code config}: AdamW (0.9, 0.95, as MAE), the gradient norm clipped
     * to 1, the cosine ending at a tenth of the peak.
     */
    public static TrainConfig trainConfig(VisionPretrainConfig config) {
        return TrainConfig.pretraining(config.steps(), config.batchSize(), config.learningRate(),
                config.warmupSteps(), config.weightDecay(), 0.95, config.seed(), config.logEvery());
    }

    /** Pretrains in a temporary run folder ({@link RunFolder#temporary()}). */
    public static Result run(VisionConfig vision, VisionPretrainConfig config, PixelBank images, NDManager manager,
                             PrintStream log) {
        return run(vision, config, images, RunFolder.temporary(), manager, log);
    }

    /**
     * Pretrains a new encoder of shape {@code vision} on every image of {@code images}.
     *
     * @param run where the checkpoints and the metrics log go, and whether to continue from them
     * @param manager where the returned (frozen) encoder lives
     * @param log progress lines (every {@code logEvery} steps), or null for none
     */
    public static Result run(VisionConfig vision, VisionPretrainConfig config, PixelBank images, RunFolder run,
                             NDManager manager, PrintStream log) {
        if (images.size() == 0) {
            throw new IllegalArgumentException("no images to pretrain the image encoder on: the training split is empty");
        }
        long t0 = System.nanoTime();
        Seeds.set(config.seed());
        try (NDManager work = manager.newSubManager()) {
            MaskedAutoencoder mae = MaskedAutoencoder.create(vision, config, work);
            BatchSource<Batch> batches = BatchSource.replaying(() -> {
                ImageOrder order = new ImageOrder(images.size(), new SplittableRandom(config.seed()));
                SplittableRandom maskRng = new SplittableRandom(config.seed() ^ 0x4D41534BL); // "MASK"
                return () -> {
                    int[] rows = order.next(config.batchSize());
                    return new Batch(rows, PatchMask.random(rows.length, vision.numPatches(), config.maskRatio(), maskRng));
                };
            });
            Trainer.StepFunction step = (scope, s) -> {
                Batch batch = batches.at(s);
                return Map.of("total", mae.loss(images.pixels(scope, batch.rows()), batch.mask()));
            };
            ObjectNode pretraining = Configs.JSON.valueToTree(config);
            pretraining.remove("logEvery"); // it changes what is printed, not what is learned
            Map<String, Object> recipe = new LinkedHashMap<>();
            recipe.put("vision", vision);
            recipe.put("pretraining", pretraining);
            recipe.put("images", images.size());
            Trainer.Listener lines = log == null ? null : Trainer.console(log, config.logEvery(), r -> String.format(
                    Locale.ROOT, "vision pretraining step %d/%d | reconstruction %.4f | lr %.1e | %.1f images/s",
                    r.step(), r.totalSteps(), r.losses().get("total"), r.learningRate(),
                    r.stepsPerSecond() * config.batchSize()));
            RunFolder.Trained trained = run.train(trainConfig(config), mae, recipe, step, lines);
            VisionTransformer encoder = VisionTransformer.create(vision, manager);
            Weights.load(encoder, Weights.tensors(mae.encoder(), VisionTransformer.NAMES), VisionTransformer.NAMES,
                    Weights.Policy.strict());
            return new Result(encoder.freeze(), trained.series("total"), (System.nanoTime() - t0) / 1e9);
        }
    }
}
