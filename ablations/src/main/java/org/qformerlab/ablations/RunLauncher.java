package org.qformerlab.ablations;

/**
 * Executes one attempt at a run whose folder already holds {@code config.json}: in this JVM
 * ({@link InProcessLauncher}) or in a child JVM that cannot take the study down with it
 * ({@link ChildProcessLauncher}).
 */
interface RunLauncher {

    /** Runs the attempt and reports how it ended; never throws for a failure of the run itself. */
    Outcome launch(Experiment experiment, RunPlan plan) throws InterruptedException;
}
