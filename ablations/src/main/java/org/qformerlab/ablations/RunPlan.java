package org.qformerlab.ablations;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;

/**
 * One run of a study: a variant with one seed, its effective config and its folder
 * ({@code <studyDir>/runs/<variant>-seed<k>/}).
 */
public record RunPlan(Variant variant, long seed, ObjectNode config, Path dir) {

    /** The name of a run's log file. */
    static final String LOG = "log.txt";

    /** The run's folder name, e.g. {@code itc-itm-itg-seed2}. */
    public String id() {
        return id(variant, seed);
    }

    static String id(Variant variant, long seed) {
        return variant.slug() + "-seed" + seed;
    }

    /**
     * The effective config, as written to {@code config.json}: the experiment's input. An
     * experiment may overwrite it with the config it resolved (the stage-1 and stage-2 experiments
     * fill in widths), so it cannot tell whether the folder still belongs to this plan.
     */
    public Path configFile() {
        return dir.resolve("config.json");
    }

    /**
     * The same config, kept where no experiment writes: what the runner compares to decide whether
     * a finished run is this plan's (and may be skipped) or another config's (and is started over).
     */
    public Path planFile() {
        return dir.resolve("plan.json");
    }

    /** The run's result, written last and atomically. */
    public Path resultFile() {
        return dir.resolve("result.json");
    }

    /** Everything the run printed. */
    public Path logFile() {
        return dir.resolve(LOG);
    }

    /** The per-step log the experiment may write. */
    public Path metricsFile() {
        return dir.resolve("metrics.jsonl");
    }
}
