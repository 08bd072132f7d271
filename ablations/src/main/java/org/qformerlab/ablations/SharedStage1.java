package org.qformerlab.ablations;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.qformerlab.blip2.cache.CacheEntry;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.experiment.Stage1Experiment;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.train.Trainer;

/**
 * The stage-1 run a stage-2 run starts from, trained once for every run that needs the same one.
 * Stage 1 does not read the {@code stage2} section, so two stage-2 runs whose configs differ only
 * there (OPT against T5, a full stage 2 against a projection-only probe) and share the seed start
 * from the same stage-1 checkpoint; training is deterministic per seed, so the second run would
 * only repeat the first's work bit for bit.
 *
 * <p>The run lives in the user cache ({@code <cache>/stage1/<hash of the config without stage2>/run},
 * a {@link CacheEntry}): the first run to need it trains it while holding the entry's lock, others
 * (in this process or another, e.g. a study's child JVMs or SLURM tasks) wait and reuse it. A
 * stage-1 run stopped or killed part way leaves its checkpoints, and the next run that needs it
 * resumes it; the entry is complete when its record ({@code config.json} beside {@code run/}) is
 * written, after stage 1 has finished training and evaluating.
 */
final class SharedStage1 {

    /** Bump when what a stage-1 run folder holds changes in a way old entries cannot serve. */
    static final String FORMAT = "qformerlab-stage1-run-1";

    private SharedStage1() {}

    /** The cache entry of the stage-1 run {@code config} describes: its key is the config without {@code stage2}. */
    static CacheEntry entry(ExperimentConfig config, Path cacheRoot) {
        ObjectNode stage1 = Configs.JSON.valueToTree(config);
        stage1.remove("stage2");
        ObjectNode key = Configs.JSON.createObjectNode();
        key.put("format", FORMAT);
        key.set("config", stage1);
        return CacheEntry.of(cacheRoot, "stage1", key, "stage 1", "stage-1 run");
    }

    /**
     * The finished stage-1 run folder for {@code config}: reused when an earlier run made it,
     * else trained (or resumed) now.
     */
    static Path run(ExperimentConfig config, Path cacheRoot, PrintStream log, Trainer.Listener listener) {
        CacheEntry entry = entry(config, cacheRoot);
        Path run = entry.folder().resolve("run");
        try (NDManager manager = NDManager.newBaseManager()) {
            return entry.loadOrBuild(manager, log, (stored, owner) -> run, () -> {
                boolean resume = Files.isDirectory(run.resolve("checkpoints"));
                log.println("stage 1: " + (resume ? "resuming" : "training") + " the shared stage-1 run in " + run
                        + " (every stage-2 run of this stage-1 config and seed starts from it)");
                Stage1Experiment.run(config, new Stage1Experiment.Options(run, cacheRoot, resume, log, listener));
                entry.writeRecord(entry.newRecord());
                return run;
            });
        }
    }
}
