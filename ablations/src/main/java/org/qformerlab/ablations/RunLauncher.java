package org.qformerlab.ablations;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * Executes one attempt at a run whose folder already holds {@code config.json}: in this JVM
 * ({@link InProcessLauncher}) or in a child JVM that cannot take the study down with it
 * ({@link ChildProcessLauncher}).
 */
interface RunLauncher {

    /**
     * Runs the attempt and reports how it ended; never throws for a failure of the run itself.
     *
     * @param config the run's config (a child JVM reads the same from {@code config.json})
     * @param runDir the run's folder; the attempt's output is appended to its {@code log.txt}
     */
    Outcome launch(Experiment experiment, JsonNode config, Path runDir) throws InterruptedException;

    /**
     * Up to {@code max} attempts at a run, each announced in its {@code log.txt}, stopping at the
     * first that succeeds: the local executor and a SLURM task both retry this way.
     *
     * @return the run's result after its last attempt
     */
    static RunResult attempts(RunLauncher launcher, Experiment experiment, JsonNode config, Path runDir,
            String variant, long seed, int max) throws java.io.IOException, InterruptedException {
        Outcome outcome = null;
        int attempt = 0;
        while (attempt < max && (outcome == null || !outcome.isOk())) {
            attempt++;
            RunFiles.appendLog(runDir, "== attempt " + attempt + " at " + java.time.Instant.now() + " ==");
            outcome = launcher.launch(experiment, config, runDir);
            if (!outcome.isOk()) {
                RunFiles.appendLog(runDir, "== attempt " + attempt + " failed: " + outcome.reason() + " ==");
            }
        }
        return RunResult.of(variant, seed, outcome, attempt);
    }
}
