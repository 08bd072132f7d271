package org.qformerlab.ablations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * What an ablation study runs once per variant and seed: one experiment (stage-1 training and
 * retrieval, stage 2, a bridge comparison, ...) configured by a plain JSON tree.
 *
 * <p>The runner knows nothing about the model: it builds each run's config tree from the study spec,
 * asks {@link #validate} about it before anything runs, and calls {@link #run} in a fresh run folder.
 * Implementations are found by {@link #kind()} through {@link java.util.ServiceLoader} (list them in
 * {@code META-INF/services/org.qformerlab.ablations.Experiment}); see {@link Experiments}. They need a
 * public no-argument constructor, because a run may execute in a child JVM.
 */
public interface Experiment {

    /** The word a study spec names in its {@code kind} field, e.g. {@code stage1}. */
    String kind();

    /**
     * The config a study starts from, before its base file and inline base are laid over it (for a
     * config record, its defaults as a tree). Empty means the study spec must give every field.
     */
    default JsonNode defaultConfig() {
        return JsonNodeFactory.instance.objectNode();
    }

    /**
     * Checks a complete config tree without running anything.
     *
     * @throws IllegalArgumentException with a message naming the offending field, the rule and a fix
     */
    void validate(JsonNode config);

    /**
     * A complete config tree as this version writes it. A run's {@code plan.json} from an older
     * version lacks the fields added since; filled in with the values those fields take when absent,
     * it compares equal to today's plan for the same experiment, so that adding a field does not
     * make every finished run look like another config's. The default leaves the tree as it is.
     */
    default JsonNode normalize(JsonNode config) {
        return config;
    }

    /**
     * A run's expected cost relative to the study's other runs (any unit; only the order counts).
     * A parallel study starts the costliest runs first, so it does not end with one long run
     * alone on a core. Equal costs keep the spec's order; the default says all runs cost the same.
     */
    default double relativeCost(JsonNode config) {
        return 1;
    }

    /**
     * Runs once and returns the final metrics (e.g. {@code i2t_r1}, {@code trainable_params},
     * {@code steps_per_s}). The experiment may write a {@code metrics.jsonl} (one JSON object per
     * step, as {@link org.qformerlab.blip2.train.MetricsLog} writes it) and checkpoints into
     * {@code runDir}; a retried run finds them there and may resume.
     *
     * @param config the effective config, already validated
     * @param runDir this run's own folder (exists)
     * @param log where progress lines go (the run's {@code log.txt})
     * @throws Exception any failure; the runner records its message as the run's failure reason
     */
    Map<String, Double> run(JsonNode config, Path runDir, PrintStream log) throws Exception;

    /**
     * As {@link #run(JsonNode, Path, PrintStream)}, able to stop early with its work kept: once
     * {@code stopRequested} says true, training ends at its next step boundary after writing a
     * checkpoint, with a {@link org.qformerlab.blip2.train.TrainingStoppedException}; run again in the
     * same folder, the run continues from that checkpoint. The runner asks this of the runs in its
     * own JVM (a notebook's stop button). The default goes on to the end, and the study stops at the
     * next run boundary.
     */
    default Map<String, Double> run(JsonNode config, Path runDir, PrintStream log, BooleanSupplier stopRequested)
            throws Exception {
        return run(config, runDir, log);
    }
}
