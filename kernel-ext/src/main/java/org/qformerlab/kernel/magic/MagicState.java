package org.qformerlab.kernel.magic;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.qformerlab.blip2.config.ObjectiveConfig;
import org.qformerlab.blip2.config.QFormerConfig;

/**
 * The notebook's "current" things that magics share: the Q-Former variant built last (so
 * {@code %masks} draws its masks), and the last config of each type made by {@code %%config}.
 */
public final class MagicState {

    private volatile QFormerConfig currentVariant;
    private final Map<Class<?>, Object> lastConfigs = new ConcurrentHashMap<>();
    private final Map<Class<?>, Object> lastResults = new ConcurrentHashMap<>();

    public Optional<QFormerConfig> currentVariant() {
        return Optional.ofNullable(currentVariant);
    }

    public void currentVariant(QFormerConfig config) {
        this.currentVariant = config;
    }

    /** Remembers the last config of its type. */
    public void lastConfig(Object config) {
        lastConfigs.put(config.getClass(), config);
    }

    public <T> Optional<T> lastConfig(Class<T> type) {
        return Optional.ofNullable(type.cast(lastConfigs.get(type)));
    }

    /** Remembers the last result of its type (a trained run, so that {@code %eval} finds it). */
    public void lastResult(Object result) {
        lastResults.put(result.getClass(), result);
    }

    public <T> Optional<T> lastResult(Class<T> type) {
        return Optional.ofNullable(type.cast(lastResults.get(type)));
    }

    /** The objective in force: the last {@code %%config objective}, else BLIP-2's. */
    public ObjectiveConfig objective() {
        return lastConfig(ObjectiveConfig.class).orElse(ObjectiveConfig.blip2());
    }
}
