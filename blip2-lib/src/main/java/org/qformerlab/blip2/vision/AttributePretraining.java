package org.qformerlab.blip2.vision;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.data.ImagePool;
import org.qformerlab.blip2.data.ImageTensors;
import org.qformerlab.blip2.data.Scene;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.train.AdamW;
import org.qformerlab.blip2.train.GradientClipping;
import org.qformerlab.blip2.train.LearningRateSchedule;
import org.qformerlab.blip2.train.TrainingDivergedException;

/**
 * Pretrains the embedded default's image encoder on images alone, with supervised
 * {@link AttributeHeads}, before BLIP-2 ever shows it a caption. One step, top to bottom:
 *
 * <ol>
 *   <li>take the next {@code batchSize} scenes of a shuffled pass over the {@link ImagePool}, render
 *       them, and write down their {@link SceneLabels};
 *   <li>in a fresh scope: the encoder's features, the heads' five losses, their sum, backward;
 *   <li>clip the gradient norm to 1, AdamW update at the warm-up + cosine rate.
 * </ol>
 *
 * The heads and the optimizer live in a manager of their own that is closed at the end; what comes
 * back is the encoder alone, in the caller's manager, frozen.
 */
public final class AttributePretraining {

    /** Minimum learning rate as a fraction of the peak, at the end of the cosine. */
    private static final double MIN_LR_RATIO = 0.1;

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

    /**
     * Pretrains a new encoder of shape {@code vision} on the pool's images.
     *
     * @param manager where the returned (frozen) encoder lives
     * @param log progress lines (every {@code logEvery} steps), or null for none
     */
    public static Result run(VisionConfig vision, AttributePretrainConfig config, ImagePool pool, NDManager manager,
                             PrintStream log) {
        long t0 = System.nanoTime();
        float[] losses = new float[config.steps()];
        Map<String, Double> lastTerms = new LinkedHashMap<>();
        Seeds.set(config.seed());
        try (NDManager work = manager.newSubManager()) {
            VisionTransformer encoder = VisionTransformer.create(vision, work);
            AttributeHeads heads = new AttributeHeads(vision, config.disjointFrom().maxObjects());
            heads.initialize(work, DataType.FLOAT32);
            Map<String, Parameter> named = new LinkedHashMap<>();
            encoder.namedParameters().forEach((k, v) -> named.put("encoder." + k, v));
            heads.namedParameters().forEach((k, v) -> named.put("heads." + k, v));
            List<Parameter> trainable = List.copyOf(named.values());
            LearningRateSchedule schedule =
                    new LearningRateSchedule(config.learningRate(), config.warmupSteps(), config.steps(), MIN_LR_RATIO);
            ImageOrder order = new ImageOrder(pool.size(), new SplittableRandom(config.seed()));
            try (AdamW optimizer = new AdamW(named, 0.9, 0.999, 1e-8, config.weightDecay())) {
                for (int step = 0; step < config.steps(); step++) {
                    int[] rows = order.next(config.batchSize());
                    List<Scene> scenes = new ArrayList<>(rows.length);
                    List<BufferedImage> images = new ArrayList<>(rows.length);
                    for (int r : rows) {
                        scenes.add(pool.scenes().get(r));
                        images.add(pool.image(r, vision.imageSize()));
                    }
                    Map<String, Float> terms = new LinkedHashMap<>();
                    try (NDManager scope = work.newSubManager()) {
                        NDArray pixels = scope.create(ImageTensors.pixels(images),
                                new Shape(rows.length, vision.channels(), vision.imageSize(), vision.imageSize()));
                        SceneLabels labels = SceneLabels.of(scenes, config.disjointFrom().maxObjects(), vision.gridSize(), scope);
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            Map<String, NDArray> parts = heads.losses(encoder.features(pixels), labels);
                            NDArray loss = null;
                            for (Map.Entry<String, NDArray> e : parts.entrySet()) {
                                terms.put(e.getKey(), e.getValue().getFloat());
                                NDArray term = e.getKey().endsWith("shape")
                                        ? e.getValue().mul((float) config.shapeWeight()) : e.getValue();
                                loss = loss == null ? term : loss.add(term);
                            }
                            losses[step] = loss.getFloat();
                            if (!Float.isFinite(losses[step])) {
                                throw new TrainingDivergedException(step + 1, "attribute-heads loss", losses[step], null);
                            }
                            gc.backward(loss);
                        }
                        GradientClipping.clip(trainable, 1.0, scope);
                        optimizer.step(schedule.at(step));
                    }
                    if (step >= config.steps() - LAST) {
                        int n = Math.min(LAST, config.steps());
                        terms.forEach((k, v) -> lastTerms.merge(k, v / (double) n, Double::sum));
                    }
                    if (log != null && ((step + 1) % config.logEvery() == 0 || step + 1 == config.steps())) {
                        double seconds = (System.nanoTime() - t0) / 1e9;
                        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                                "vision pretraining step %d/%d | weighted loss %.4f (", step + 1, config.steps(), losses[step]));
                        terms.forEach((k, v) -> line.append(String.format(Locale.ROOT, "%s %.3f ", k, v)));
                        line.setLength(line.length() - 1);
                        line.append(String.format(Locale.ROOT, ") | lr %.1e | %.1f images/s", schedule.at(step),
                                (step + 1) * (double) config.batchSize() / seconds));
                        log.println(line);
                    }
                }
            }
            VisionTransformer kept = VisionTransformer.create(vision, manager);
            Weights.load(kept, Weights.tensors(encoder, VisionTransformer.NAMES), VisionTransformer.NAMES,
                    Weights.Policy.strict());
            return new Result(kept.freeze(), losses, lastTerms, (System.nanoTime() - t0) / 1e9);
        }
    }
}
