package org.qformerlab.ablations;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs an attempt in this JVM, printing to the run's {@code log.txt}. Cheap; no crash isolation. */
final class InProcessLauncher implements RunLauncher {

    @Override
    public Outcome launch(Experiment experiment, RunPlan plan) {
        try (PrintStream log = new PrintStream(new FileOutputStream(plan.logFile().toFile(), true), true,
                StandardCharsets.UTF_8)) {
            return Attempt.execute(experiment, plan.config(), plan.dir(), log);
        } catch (IOException e) {
            return Outcome.failed("cannot open " + plan.logFile() + ": " + e.getMessage(), 0);
        }
    }
}
