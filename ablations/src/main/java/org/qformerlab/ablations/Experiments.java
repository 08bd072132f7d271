package org.qformerlab.ablations;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds {@link Experiment} implementations by kind, through {@link ServiceLoader}. */
public final class Experiments {

    private Experiments() {
    }

    /**
     * The experiment of this kind.
     *
     * @throws IllegalArgumentException naming the known kinds when none matches
     */
    public static Experiment find(String kind) {
        Map<String, Experiment> known = all();
        Experiment experiment = known.get(kind);
        if (experiment == null) {
            throw new IllegalArgumentException("no experiment of kind '" + kind + "'; known kinds: "
                    + known.keySet() + " (an implementation is listed in "
                    + "META-INF/services/" + Experiment.class.getName() + ")");
        }
        return experiment;
    }

    /** Every experiment on the class path, by kind. */
    public static Map<String, Experiment> all() {
        Map<String, Experiment> out = new TreeMap<>();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        for (Experiment e : ServiceLoader.load(Experiment.class,
                loader != null ? loader : Experiments.class.getClassLoader())) {
            out.putIfAbsent(e.kind(), e);
        }
        return out;
    }
}
