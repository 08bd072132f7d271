package org.qformerlab.ablations;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.qformerlab.blip2.train.TrainingStoppedException;

/**
 * One attempt at a run inside the current JVM: call the experiment, time it, and turn any exception
 * into a failed {@link Outcome} whose reason is the exception's message (the stack trace goes to the
 * run's log). A stop that was asked for is no failure: it goes on up to the runner, the run's
 * checkpoint kept.
 */
final class Attempt {

    private Attempt() {
    }

    static Outcome execute(Experiment experiment, JsonNode config, Path runDir, PrintStream log) {
        return execute(experiment, config, runDir, log, () -> false);
    }

    /** As {@link #execute(Experiment, JsonNode, Path, PrintStream)}, training stopping when {@code stopRequested} says so. */
    static Outcome execute(Experiment experiment, JsonNode config, Path runDir, PrintStream log,
                           BooleanSupplier stopRequested) {
        long t0 = System.nanoTime();
        try {
            Map<String, Double> metrics = experiment.run(config, runDir, log, stopRequested);
            if (metrics == null) {
                throw new IllegalStateException("experiment '" + experiment.kind() + "' returned no metrics");
            }
            return Outcome.ok(metrics, seconds(t0));
        } catch (TrainingStoppedException stop) {
            log.println(stop.getMessage());
            throw stop;
        } catch (Throwable e) {
            e.printStackTrace(log);
            log.flush();
            return Outcome.failed(reason(e), seconds(t0));
        }
    }

    /** A one-line reason: the exception's type and message (the cause's when it has none). */
    static String reason(Throwable e) {
        Throwable t = e;
        while ((t.getMessage() == null || t.getMessage().isBlank()) && t.getCause() != null) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? "" : ": " + t.getMessage();
        return (t.getClass().getSimpleName() + message).replaceAll("\\s+", " ").strip();
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
