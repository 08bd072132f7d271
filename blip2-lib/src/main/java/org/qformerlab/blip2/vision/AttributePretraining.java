package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.data.ImagePool;
import org.qformerlab.blip2.data.ImageTensors;
import org.qformerlab.blip2.data.Scene;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.train.BatchSource;
import org.qformerlab.blip2.train.RunFolder;
import org.qformerlab.blip2.train.TrainConfig;
import org.qformerlab.blip2.train.Trainer;

/**
 * Pretrains the embedded default's image encoder on images alone, with supervised
 * {@link AttributeHeads}, before BLIP-2 ever shows it a caption. It runs through the
 * {@link Trainer} (checkpoints, exact resume, the stop on a non-finite loss or gradient, the
 * metrics log); one step, top to bottom:
 *
 * <ol>
 *   <li>take the step's {@code batchSize} scenes of shuffled passes over the {@link ImagePool}, render
 *       them, and write down their {@link SceneLabels};
 *   <li>in a fresh scope: the encoder's features, the heads' five losses, their weighted sum, backward;
 *   <li>clip the gradient norm to 1, AdamW update at the warm-up + cosine rate.
 * </ol>
 *
 * The heads and the optimizer live in a manager of their own that is closed at the end; what comes
 * back is the encoder alone, in the caller's manager, frozen.
 */
public final class AttributePretraining {

    private AttributePretraining() {}

    /** The pretrained encoder, the summed loss of every step, the last steps' mean of each term, and the time. */
    public record Result(VisionTransformer encoder, float[] losses, Map<String, Double> lastTerms, double seconds) {

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

    /** Steps whose terms are averaged into {@link Result#lastTerms()}. */
    private static final int LAST = 20;

    /** The encoder and its heads as the one model the trainer updates and checkpoints. */
    private static final class EncoderWithHeads extends Module {
        EncoderWithHeads(VisionTransformer encoder, AttributeHeads heads) {
            module("encoder", encoder);
            module("heads", heads);
        }
    }

    /**
     * The trainer's recipe for {@code config}: AdamW (0.9, 0.999), the gradient norm clipped to 1,
     * the cosine ending at a tenth of the peak.
     */
    public static TrainConfig trainConfig(AttributePretrainConfig config) {
        return TrainConfig.pretraining(config.steps(), config.batchSize(), config.learningRate(),
                config.warmupSteps(), config.weightDecay(), 0.999, config.seed(), config.logEvery());
    }

    /** Pretrains in a temporary run folder ({@link RunFolder#temporary()}). */
    public static Result run(VisionConfig vision, AttributePretrainConfig config, ImagePool pool, NDManager manager,
                             PrintStream log) {
        return run(vision, config, pool, RunFolder.temporary(), manager, log);
    }

    /**
     * Pretrains a new encoder of shape {@code vision} on the pool's images.
     *
     * @param run where the checkpoints and the metrics log go, and whether to continue from them
     * @param manager where the returned (frozen) encoder lives
     * @param log progress lines (every {@code logEvery} steps), or null for none
     */
    public static Result run(VisionConfig vision, AttributePretrainConfig config, ImagePool pool, RunFolder run,
                             NDManager manager, PrintStream log) {
        long t0 = System.nanoTime();
        int maxObjects = config.disjointFrom().maxObjects();
        Seeds.set(config.seed());
        try (NDManager work = manager.newSubManager()) {
            VisionTransformer encoder = VisionTransformer.create(vision, work);
            AttributeHeads heads = new AttributeHeads(vision, maxObjects);
            heads.initialize(work, DataType.FLOAT32);
            BatchSource<int[]> batches = BatchSource.replaying(() -> {
                ImageOrder order = new ImageOrder(pool.size(), new SplittableRandom(config.seed()));
                return () -> order.next(config.batchSize());
            });
            Trainer.StepFunction step = (scope, s) -> {
                int[] rows = batches.at(s);
                List<Scene> scenes = new ArrayList<>(rows.length);
                List<BufferedImage> images = new ArrayList<>(rows.length);
                for (int r : rows) {
                    scenes.add(pool.scenes().get(r));
                    images.add(pool.image(r, vision.imageSize()));
                }
                NDArray pixels = scope.create(ImageTensors.pixels(images),
                        new Shape(rows.length, vision.channels(), vision.imageSize(), vision.imageSize()));
                SceneLabels labels = SceneLabels.of(scenes, maxObjects, vision.gridSize(), scope);
                Map<String, NDArray> terms = new LinkedHashMap<>(heads.losses(encoder.features(pixels), labels));
                NDArray total = null;
                for (Map.Entry<String, NDArray> e : terms.entrySet()) {
                    NDArray term = e.getKey().endsWith("shape") ? e.getValue().mul((float) config.shapeWeight()) : e.getValue();
                    total = total == null ? term : total.add(term);
                }
                terms.put("total", total);
                return terms;
            };
            ObjectNode pretraining = Configs.JSON.valueToTree(config);
            pretraining.remove("logEvery"); // it changes what is printed, not what is learned
            Map<String, Object> recipe = new LinkedHashMap<>();
            recipe.put("vision", vision);
            recipe.put("pretraining", pretraining);
            Trainer.Listener lines = log == null ? null : Trainer.console(log, config.logEvery(), r -> line(r, config));
            RunFolder.Trained trained =
                    run.train(trainConfig(config), new EncoderWithHeads(encoder, heads), recipe, step, lines);
            VisionTransformer kept = VisionTransformer.create(vision, manager);
            Weights.load(kept, Weights.tensors(encoder, VisionTransformer.NAMES), VisionTransformer.NAMES,
                    Weights.Policy.strict());
            return new Result(kept.freeze(), trained.series("total"), trained.meanOfLast(LAST),
                    (System.nanoTime() - t0) / 1e9);
        }
    }

    /** {@code vision pretraining step 50/3000 | weighted loss 2.1234 (present 0.412 ...) | lr 1.0e-03 | 95.3 images/s} */
    private static String line(Trainer.StepReport r, AttributePretrainConfig config) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "vision pretraining step %d/%d | weighted loss %.4f (", r.step(), r.totalSteps(), r.losses().get("total")));
        r.losses().forEach((k, v) -> {
            if (!k.equals("total")) {
                line.append(String.format(Locale.ROOT, "%s %.3f ", k, v));
            }
        });
        line.setLength(line.length() - 1);
        line.append(String.format(Locale.ROOT, ") | lr %.1e | %.1f images/s", r.learningRate(),
                r.stepsPerSecond() * config.batchSize()));
        return line.toString();
    }
}
