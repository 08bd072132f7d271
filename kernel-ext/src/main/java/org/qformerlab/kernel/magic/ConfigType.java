package org.qformerlab.kernel.magic;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A config record that {@code %%config} can build: its class, named presets the cell body is laid
 * over (the first is the default), and the variable it is bound to unless {@code --as} says otherwise.
 *
 * @param name the short name used in {@code %%config NAME}
 * @param type the Jackson-readable record
 * @param presets named starting points, in order; the body names only what it changes
 * @param variable default variable name
 */
public record ConfigType<T>(String name, Class<T> type, Map<String, Supplier<? extends T>> presets, String variable) {

    public ConfigType {
        presets = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(presets));
    }

    /** The default preset's name, or null when the type has none (then the body must be complete). */
    public String defaultPreset() {
        return presets.isEmpty() ? null : presets.keySet().iterator().next();
    }

    /**
     * Any config class by its fully-qualified name: its presets are its public static no-argument
     * methods that return the type ({@code defaults()} first when it has one).
     */
    public static <T> ConfigType<T> reflective(Class<T> type) {
        Map<String, Supplier<? extends T>> presets = new LinkedHashMap<>();
        Map<String, Supplier<? extends T>> others = new LinkedHashMap<>();
        for (Method m : type.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0
                    && type.isAssignableFrom(m.getReturnType())) {
                Supplier<T> s = () -> {
                    try {
                        return type.cast(m.invoke(null));
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException("preset " + m.getName() + " of " + type.getName() + " failed", e);
                    }
                };
                (m.getName().equals("defaults") ? presets : others).put(m.getName(), s);
            }
        }
        new java.util.TreeMap<>(others).forEach(presets::put);
        String simple = type.getSimpleName();
        String variable = simple.substring(0, 1).toLowerCase(Locale.ROOT) + simple.substring(1);
        return new ConfigType<>(simple, type, presets, variable);
    }
}
