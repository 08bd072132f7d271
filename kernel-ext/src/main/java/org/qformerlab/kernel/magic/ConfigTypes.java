package org.qformerlab.kernel.magic;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.qformerlab.blip2.config.ObjectiveConfig;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.data.ShapesWorldConfig;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.train.TrainConfig;

/**
 * The config types {@code %%config} knows by short name. Pluggable twice over: {@link #register}
 * adds a short name (one line for a new record, e.g. an experiment config nesting the others), and
 * any Jackson-readable class on the classpath works by its fully-qualified name without registering.
 */
public final class ConfigTypes {

    private final Map<String, ConfigType<?>> byName = new LinkedHashMap<>();

    /** The project's config records. */
    public static ConfigTypes standard() {
        ConfigTypes types = new ConfigTypes();
        Map<String, java.util.function.Supplier<? extends QFormerConfig>> qformer = new LinkedHashMap<>();
        qformer.put("embedded", QFormerConfig::embedded);
        qformer.put("tiny", QFormerConfig::tiny);
        qformer.put("paper", QFormerConfig::paper);
        types.register(new ConfigType<>("qformer", QFormerConfig.class, qformer, "qformerConfig"));
        types.register(new ConfigType<>("objective", ObjectiveConfig.class,
                Map.of("blip2", ObjectiveConfig::blip2), "objectiveConfig"));
        types.register(new ConfigType<>("train", TrainConfig.class,
                Map.of("stage1", TrainConfig::stage1Default), "trainConfig"));
        types.register(new ConfigType<>("shapes", ShapesWorldConfig.class,
                Map.of("defaults", ShapesWorldConfig::defaults), "shapesConfig"));
        Map<String, java.util.function.Supplier<? extends ExperimentConfig>> experiment = new LinkedHashMap<>();
        experiment.put("embedded", ExperimentConfig::embedded);
        experiment.put("tiny", ExperimentConfig::tiny);
        types.register(new ConfigType<>("experiment", ExperimentConfig.class, experiment, "experimentConfig"));
        return types;
    }

    /** Adds (or replaces) a type under its short name. */
    public ConfigTypes register(ConfigType<?> type) {
        byName.put(type.name(), type);
        return this;
    }

    public Collection<ConfigType<?>> all() {
        return Collections.unmodifiableCollection(byName.values());
    }

    /** A registered short name, or a fully-qualified class name on the classpath. */
    public Optional<ConfigType<?>> find(String name) {
        ConfigType<?> registered = byName.get(name);
        if (registered != null) {
            return Optional.of(registered);
        }
        if (name.contains(".")) {
            try {
                Class<?> type = Class.forName(name, false, Thread.currentThread().getContextClassLoader());
                return Optional.of(ConfigType.reflective(type));
            } catch (ClassNotFoundException | LinkageError e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
