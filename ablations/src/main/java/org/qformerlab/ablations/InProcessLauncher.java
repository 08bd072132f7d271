package org.qformerlab.ablations;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * Runs an attempt in this JVM, printing to the run's {@code log.txt}. Cheap; no crash isolation. A
 * stop asked while it trains ends the run at the next step boundary with a checkpoint
 * ({@link Experiment#run(JsonNode, Path, PrintStream, BooleanSupplier)}).
 */
final class InProcessLauncher implements RunLauncher {

    private final BooleanSupplier stopRequested;

    InProcessLauncher(BooleanSupplier stopRequested) {
        this.stopRequested = stopRequested;
    }

    @Override
    public Outcome launch(Experiment experiment, JsonNode config, Path runDir) {
        Path logFile = runDir.resolve(RunPlan.LOG);
        try (PrintStream log = new PrintStream(new FileOutputStream(logFile.toFile(), true), true,
                StandardCharsets.UTF_8)) {
            return Attempt.execute(experiment, config, runDir, log, stopRequested);
        } catch (IOException e) {
            return Outcome.failed("cannot open " + logFile + ": " + e.getMessage(), 0);
        }
    }
}
