package org.qformerlab.ablations;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.qformerlab.blip2.train.MetricsLog;
import org.qformerlab.blip2.train.Trainer;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.experiment.Stage1Experiment;
import org.qformerlab.bench.Stage1Flops;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.experiment.evaluation.SplitRetrieval;
import org.qformerlab.blip2.experiment.report.Stage1Result;

/**
 * Stage 1 as an ablation study runs it (kind {@code stage1}): the config tree is an
 * {@link ExperimentConfig} (defaults: {@link ExperimentConfig#embedded()}), and one run is one
 * {@link Stage1Experiment}. Metrics, for the test split after ITM re-ranking unless named otherwise:
 * {@code i2t_r1/5/10}, {@code t2i_r1/5/10}; {@code *_itc} for ITC alone; {@code comp_*} on the
 * compositional split; {@code i2t_r1_true} (and the rest) counting every caption the scene makes true
 * a hit; the binding benchmark's accuracies {@code bind_<foil type>_<scorer>}, e.g.
 * {@code bind_attribute_swap_itm}, {@code bind_relation_swap_itg}, {@code bind_all_itc};
 * {@code trainable_params}, {@code steps_per_s}; the last losses
 * {@code loss_itc/itm/itg/total}. Encoders are cached in the user cache folder
 * ({@link org.qformerlab.blip2.config.UserCache}), so every variant of a study shares one pretrained encoder and feature
 * cache. A retried run, or one stopped from a notebook, resumes from its last checkpoint.
 */
public final class Stage1Ablation extends ExperimentConfigAblation {

    @Override
    public String kind() {
        return "stage1";
    }

    @Override
    public Map<String, Double> run(JsonNode config, Path runDir, PrintStream log, BooleanSupplier stopRequested)
            throws Exception {
        ExperimentConfig c = parse(config);
        boolean resume = Files.isDirectory(runDir.resolve("checkpoints"));
        Path cache = cacheDir();
        Stage1Result r = Stage1Experiment.run(c, new Stage1Experiment.Options(runDir, cache, resume, log,
                stopWhen(stopRequested)));
        Map<String, Double> out = new LinkedHashMap<>();
        addRetrieval(out, "", r.retrieval().get(Split.TEST));
        addRetrieval(out, "comp_", r.retrieval().get(Split.COMPOSITIONAL));
        if (r.binding() != null) {
            r.binding().binding().metrics("bind_").forEach((name, value) -> {
                if (!name.endsWith("_se") && !name.endsWith("_n")) {
                    out.put(name, value);
                }
            });
        }
        out.put("trainable_params", (double) r.parameters());
        out.put("steps_per_s", r.training().stepsPerSecond());
        r.losses().last().forEach((term, value) -> out.put("loss_" + term, value));
        double updateRms = meanUpdateRms(runDir.resolve("metrics.jsonl"));
        if (Double.isFinite(updateRms)) {
            out.put("update_rms", updateRms);
        }
        return out;
    }

    /**
     * The mean over the run's measured steps of {@code update_rms}, the RMS of a step's change of
     * the weights ({@link Trainer#UPDATE_RMS}): what a study needs to match a control's learning
     * rate to another optimiser mode's effective step. NaN when the log has none.
     */
    static double meanUpdateRms(Path metricsFile) throws java.io.IOException {
        double[] v = MetricsLog.series(MetricsLog.read(metricsFile), Trainer.STEP, Trainer.UPDATE_RMS)[1];
        return v.length == 0 ? Double.NaN : java.util.Arrays.stream(v).average().orElse(Double.NaN);
    }

    /**
     * The analytic FLOPs of the run's training steps ({@link Stage1Flops}; captions of typical
     * length): enough to order 64-query runs before 4-query ones.
     */
    @Override
    public double relativeCost(JsonNode config) {
        ExperimentConfig c = parse(config);
        long patches = c.encoder().usesVit()
                ? c.encoder().vit().numPatches() + 1
                : (long) Math.pow(c.data().imageSize() / c.encoder().patchSize(), 2);
        return c.train().steps() * new Stage1Flops(c.qformer(), c.train().batchSize(), patches, TYPICAL_TEXT_LENGTH)
                .trainingStep();
    }

    private static final int TYPICAL_TEXT_LENGTH = 12;

    /** {@code i2t_r1} (after re-ranking when it ran, else ITC) and {@code i2t_r1_itc}, ... */
    private static void addRetrieval(Map<String, Double> out, String prefix, SplitRetrieval s) {
        if (s == null) {
            return;
        }
        String best = s.rerankK() > 0 ? "_itm" : "_itc";
        s.metrics("").forEach((name, value) -> {
            if (name.endsWith("_chance")) {
                return;
            }
            if (name.endsWith(best)) {
                out.put(prefix + name.substring(0, name.length() - best.length()), value);
            }
            if (name.endsWith("_itc")) {
                out.put(prefix + name, value);
            }
        });
    }
}
