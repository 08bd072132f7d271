package org.qformerlab.ablations;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.experiment.ExperimentConfig;

/**
 * What the stage-1 and stage-2 study kinds share: their config is an {@link ExperimentConfig} laid
 * over the embedded default, validated by parsing it, and their pretrained encoders and language
 * model live in one cache folder ({@code .cache}, or the system property {@code qformerlab.cache}) so
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

    /** Laid over the embedded default, as {@link #parse} does: a field the tree lacks takes its default. */
    @Override
    public JsonNode normalize(JsonNode config) {
        return Configs.JSON.valueToTree(parse(config));
    }

    /** The study's JSON as an experiment config over the embedded default. */
    static ExperimentConfig parse(JsonNode config) {
        try {
            return ExperimentConfig.parse(Configs.JSON.writeValueAsString(config), ExperimentConfig.embedded(), "study config");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the study config is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The cache folder shared by every run of a study. */
    static Path cacheDir() {
        return Path.of(System.getProperty("qformerlab.cache", ".cache"));
    }
}
