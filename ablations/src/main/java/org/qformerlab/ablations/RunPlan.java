package org.qformerlab.ablations;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;

/**
 * One run of a study: a variant with one seed, its effective config and its folder
 * ({@code <studyDir>/runs/<variant>-seed<k>/}).
 */
public record RunPlan(Variant variant, long seed, ObjectNode config, Path dir) {

    /** The run's folder name, e.g. {@code itc-itm-itg-seed2}. */
    public String id() {
        return id(variant, seed);
    }

    static String id(Variant variant, long seed) {
        return variant.slug() + "-seed" + seed;
    }

    /** The effective config, as written to {@code config.json}. */
    public Path configFile() {
        return dir.resolve("config.json");
    }

    /** The run's result, written last and atomically. */
    public Path resultFile() {
        return dir.resolve("result.json");
    }

    /** Everything the run printed. */
    public Path logFile() {
        return dir.resolve("log.txt");
    }

    /** The per-step log the experiment may write. */
    public Path metricsFile() {
        return dir.resolve("metrics.jsonl");
    }
}
