package org.qformerlab.ablations;

import java.util.Arrays;
import java.util.Locale;

/** Where a study's runs execute. */
public enum Executor {

    /** On this machine: one after another in this JVM, or {@code parallel} at a time in child JVMs. */
    LOCAL,

    /**
     * On a SLURM cluster: one job array, one task per run, each task running the run in a child JVM
     * on a compute node and writing into the same run folders (on the cluster's shared file system).
     */
    SLURM;

    /** The executor of this name ({@code local} or {@code slurm}, any case). */
    public static Executor of(String name) {
        for (Executor e : values()) {
            if (e.name().equalsIgnoreCase(name.strip())) {
                return e;
            }
        }
        throw new IllegalArgumentException("no executor '" + name + "'; choose one of "
                + Arrays.stream(values()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList());
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
