package org.qformerlab.ablations;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.experiment.Stage1Experiment;
import org.qformerlab.blip2.experiment.Stage2Experiment;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.experiment.config.Stage2Init;
import org.qformerlab.blip2.experiment.report.Stage2Result;

/**
 * Stage 2 as an ablation study runs it (kind {@code stage2}): the config tree is an
 * {@link ExperimentConfig} (defaults: {@link ExperimentConfig#embedded()}) whose {@code stage2}
 * section a study varies ({@code stage2.init}, {@code stage2.bridge.type}, {@code stage2.train.steps},
 * {@code stage2.qaFraction}, {@code stage2.language.numLayers}, {@code stage2.language.family} (OPT or
 * T5), ...; a study of the bridges other than
 * the Q-Former sets {@code stage2.init = SCRATCH}, since they have no stage 1, and
 * {@code seedPath: stage2.train.seed}); the other sections describe the world, the encoder and, for
 * {@code stage2.init = STAGE1}, the stage-1 run. One run is one {@link Stage2Experiment}; with
 * {@code init = STAGE1} and no {@code stage2.stage1Run}, the run starts from the stage-1 run of its
 * config and seed, trained by the first run that needs it and reused by the others
 * ({@link SharedStage1}: the variants of a study that differ only in {@code stage2} share it). A
 * retried run, or one stopped from a notebook, resumes each stage from its last checkpoint.
 * Metrics: {@code cider}, {@code bleu4}, {@code attr_colour/shape/relation}, {@code vqa} and
 * {@code vqa_majority}, {@code vqa_<type>} and {@code vqa_<type>_majority}, {@code loss_lm_first/last},
 * {@code trainable_params}, {@code steps_per_s}. Encoders and the language model are cached under
 * the user cache folder ({@link org.qformerlab.blip2.config.UserCache}).
 */
public final class Stage2Ablation extends ExperimentConfigAblation {

    @Override
    public String kind() {
        return "stage2";
    }

    @Override
    public Map<String, Double> run(JsonNode config, Path runDir, PrintStream log, BooleanSupplier stopRequested)
            throws Exception {
        ExperimentConfig c = parse(config);
        Path cache = cacheDir();
        Path stage1 = null;
        if (c.stage2().init() == Stage2Init.STAGE1 && c.stage2().stage1Run().isEmpty()) {
            Path own = runDir.resolve("stage1");
            if (Files.isDirectory(own.resolve("checkpoints"))) { // a run begun before stage 1 was shared
                stage1 = own;
                log.println("stage 2 starts from stage 1: resuming this run's own stage 1 in " + stage1);
                Stage1Experiment.run(c, new Stage1Experiment.Options(stage1, cache, true, log, stopWhen(stopRequested)));
            } else {
                stage1 = SharedStage1.run(c, cache, log, stopWhen(stopRequested));
                log.println("stage 2 starts from the stage-1 run in " + stage1);
            }
        }
        boolean resume = Files.isDirectory(runDir.resolve("checkpoints"));
        Stage2Result r = Stage2Experiment.run(c, new Stage2Experiment.Options(runDir, cache, stage1, resume, log,
                stopWhen(stopRequested)));
        return r.metrics();
    }
}
