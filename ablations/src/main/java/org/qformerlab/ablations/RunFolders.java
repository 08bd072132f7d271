package org.qformerlab.ablations;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What a study's run folders say, whichever executor filled them: whether a run finished with this
 * plan's config (and may be skipped), getting a folder ready for a new attempt, and the records the
 * tables are built from.
 */
final class RunFolders {

    private final Experiment experiment;

    RunFolders(Experiment experiment) {
        this.experiment = experiment;
    }

    /** True when the run already finished successfully with exactly this config. */
    boolean finished(RunPlan plan) {
        RunResult result = RunFiles.read(plan.resultFile(), RunResult.class);
        return result != null && result.isOk() && sameConfig(plan);
    }

    /** Whether the run's {@code plan.json} holds this plan's config, fields added since filled in. */
    boolean sameConfig(RunPlan plan) {
        if (!Files.isRegularFile(plan.planFile())) {
            return false;
        }
        try {
            return RunFiles.sameTree(experiment.normalize(RunFiles.readTree(plan.planFile())),
                    experiment.normalize(plan.config()));
        } catch (IOException | IllegalArgumentException e) {
            return false; // unreadable, or no longer a valid config: run it again
        }
    }

    /**
     * Gets the run folder ready: an old result goes (so that a crash leaves no result behind), and a
     * folder holding a different config is emptied (its checkpoint belongs to another run).
     */
    void prepare(RunPlan plan) throws IOException {
        if (Files.isDirectory(plan.dir()) && !sameConfig(plan)) {
            RunFiles.deleteTree(plan.dir());
        }
        Files.createDirectories(plan.dir());
        Files.deleteIfExists(plan.resultFile());
        RunFiles.writeJson(plan.planFile(), plan.config());
        RunFiles.writeJson(plan.configFile(), plan.config());
    }

    /**
     * Every plan with its stored result; a run without one, or whose {@code plan.json} holds another
     * config, is recorded as failed with {@code missing} or that reason. A run from before
     * {@code plan.json} was written (it has none) is taken as it is.
     */
    List<RunRecord> records(List<RunPlan> plans, String missing) {
        return records(plans, plan -> missing);
    }

    /** As {@link #records(List, String)}, with a reason per run for a missing result. */
    List<RunRecord> records(List<RunPlan> plans, Function<RunPlan, String> missing) {
        List<RunRecord> records = new ArrayList<>();
        for (RunPlan plan : plans) {
            RunResult result = RunFiles.read(plan.resultFile(), RunResult.class);
            if (result == null) {
                result = RunResult.failed(plan, missing.apply(plan));
            } else if (Files.isRegularFile(plan.planFile()) && !sameConfig(plan)) {
                result = RunResult.failed(plan, "ran with another config (its plan.json differs from the spec's);"
                        + " run ablate without --report-only to run it again");
            }
            records.add(new RunRecord(plan, result));
        }
        return records;
    }
}
