package org.qformerlab.ablations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.train.Trainer;

/**
 * What the stage-1 and stage-2 study kinds share: their config is an {@link ExperimentConfig} laid
 * over the embedded default, validated by parsing it, and their pretrained encoders and language
 * model live in the user cache folder ({@link org.qformerlab.blip2.config.UserCache}) so
 * that every variant of a study reuses them.
 */
abstract class ExperimentConfigAblation implements Experiment {

    @Override
    public JsonNode defaultConfig() {
        return Configs.JSON.valueToTree(ExperimentConfig.embedded());
    }

    @Override
    public void validate(JsonNode config) {
        parse(config);
    }

    /** Runs to the end: both stages' runs stop early only when asked through the four-argument form. */
    @Override
    public Map<String, Double> run(JsonNode config, Path runDir, PrintStream log) throws Exception {
        return run(config, runDir, log, () -> false);
    }

    @Override
    public abstract Map<String, Double> run(JsonNode config, Path runDir, PrintStream log,
            BooleanSupplier stopRequested) throws Exception;

    /**
     * Fields added after runs had been made without them, with what those runs did instead: a plan
     * that lacks one was trained that way, whatever today's preset says. (A field whose preset value
     * is the old behaviour needs no entry: the preset fills it in.)
     */
    static final Map<String, Object> BEFORE_THEIR_FIELD = Map.of(
            "train.perLossMoments", false, // one pair of AdamW moments, as BLIP-2
            "qformer.initializerRange", 0.02); // BERT's

    /**
     * Laid over the embedded default, as {@link #parse} does: a field the tree lacks takes its
     * default, or the value of {@link #BEFORE_THEIR_FIELD} when it changed what a run does.
     */
    @Override
    public JsonNode normalize(JsonNode config) {
        ObjectNode tree = config.deepCopy();
        BEFORE_THEIR_FIELD.forEach((path, value) -> {
            int dot = path.lastIndexOf('.');
            String field = path.substring(dot + 1);
            if (ConfigTree.get(tree, path.substring(0, dot)) instanceof ObjectNode section && !section.has(field)) {
                section.set(field, Configs.JSON.valueToTree(value));
            }
        });
        return Configs.JSON.valueToTree(parse(tree));
    }

    /** The study's JSON as an experiment config over the embedded default. */
    static ExperimentConfig parse(JsonNode config) {
        try {
            return ExperimentConfig.parse(Configs.JSON.writeValueAsString(config), ExperimentConfig.embedded(), "study config");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the study config is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A training listener that asks {@code stopRequested} after every step (the run stops there, checkpointed). */
    static Trainer.Listener stopWhen(BooleanSupplier stopRequested) {
        return new Trainer.Listener() {
            @Override
            public boolean stopRequested() {
                return stopRequested.getAsBoolean();
            }
        };
    }

    /** The cache folder shared by every run of a study. */
    static Path cacheDir() {
        return org.qformerlab.blip2.config.UserCache.folder();
    }
}
