package org.qformerlab.blip2.experiment;

import ai.djl.ndarray.NDManager;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.experiment.config.Stage2Config;
import org.qformerlab.blip2.experiment.config.Stage2Init;
import org.qformerlab.blip2.experiment.report.Stage1Report;
import org.qformerlab.blip2.experiment.report.Stage1Result;
import org.qformerlab.blip2.experiment.report.Stage2Report;
import org.qformerlab.blip2.experiment.report.Stage2Result;
import org.qformerlab.blip2.nn.Devices;
import org.qformerlab.blip2.vision.ImageFeatures;

/**
 * The quickstart: both BLIP-2 stages on the embedded shapes world, in one run folder and one report.
 *
 * <ol>
 *   <li>stage 1 ({@link Stage1Experiment}) in the run folder itself;
 *   <li>stage 2 ({@link Stage2Experiment}) twice, for the same steps: from the stage-1 checkpoint
 *       ({@code stage2-from-stage1/}) and from a randomly initialised Q-Former ({@code stage2-scratch/}),
 *       the paper's comparison that shows what representation learning buys generative learning;
 *   <li>{@code report.md}: the stage-1 report with the stage-2 section (both runs side by side, sample
 *       images with their generated captions and answers).
 * </ol>
 */
public final class Quickstart {

    /** What the quickstart produced; {@code stage2} is empty when stage 2 was skipped. */
    public record Result(Stage1Result stage1, List<Stage2Result> stage2, Map<String, Double> seconds, Path report) {}

    private Quickstart() {}

    /** Whether {@code QFORMERLAB_QUICK} asks for scaled-down runs (set, and not "0"). */
    public static boolean quick() {
        String v = System.getenv("QFORMERLAB_QUICK");
        return v != null && !v.isBlank() && !v.equals("0");
    }

    /**
     * @param withStage2 run stage 2 after stage 1 (from the stage-1 checkpoint and from scratch)
     */
    public static Result run(ExperimentConfig config, Stage1Experiment.Options options, boolean withStage2) {
        PrintStream log = options.log();
        Map<String, Double> seconds = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        Stage1Result stage1 = Stage1Experiment.run(config, options);
        seconds.put("stage 1", lap(t0));
        if (!withStage2) {
            return new Result(stage1, List.of(), seconds, stage1.report());
        }
        ExperimentConfig c = stage1.config();
        Stage2Config s2 = quick() ? c.stage2().quick() : c.stage2();
        List<Stage2Result> stage2 = new ArrayList<>();
        ShapesDataset world = ShapesWorld.generate(c.data());
        try (NDManager root = NDManager.newBaseManager(Devices.resolve(s2.train().device()))) {
            ImageFeatures features = ImageEncoders.features(c.encoder(), world, options.cacheRoot(), root, log);
            for (Stage2Init init : Stage2Init.values()) {
                t0 = System.nanoTime();
                String name = init == Stage2Init.STAGE1 ? "stage2-from-stage1" : "stage2-scratch";
                log.println("== stage 2, Q-Former " + (init == Stage2Init.STAGE1 ? "from the stage-1 checkpoint"
                        : "from scratch") + ", " + s2.train().steps() + " steps -> " + name + "/");
                Stage2Experiment.Options o = new Stage2Experiment.Options(options.runDir().resolve(name),
                        options.cacheRoot(), init == Stage2Init.STAGE1 ? options.runDir() : null, log)
                        .withResume(options.resume());
                stage2.add(Stage2Experiment.run(c.withStage2(s2.withInit(init)), o, world, features, root));
                seconds.put("stage 2 " + (init == Stage2Init.STAGE1 ? "from stage 1" : "from scratch"), lap(t0));
            }
        }
        Path report = Stage1Report.write(stage1, world, r -> Stage2Report.section(r, stage2, 2));
        double total = 0;
        for (Map.Entry<String, Double> e : seconds.entrySet()) {
            log.printf(Locale.ROOT, "time: %s %.1f s%n", e.getKey(), e.getValue());
            total += e.getValue();
        }
        log.printf(Locale.ROOT, "time: total %.1f s%n", total);
        return new Result(stage1, stage2, seconds, report);
    }

    private static double lap(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
