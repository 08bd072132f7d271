package org.qformerlab.ablations;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * One attempt at a run inside the current JVM: call the experiment, time it, and turn any exception
 * into a failed {@link Outcome} whose reason is the exception's message (the stack trace goes to the
 * run's log).
 */
final class Attempt {

    private Attempt() {
    }

    static Outcome execute(Experiment experiment, JsonNode config, Path runDir, PrintStream log) {
        long t0 = System.nanoTime();
        try {
            Map<String, Double> metrics = experiment.run(config, runDir, log);
            if (metrics == null) {
                throw new IllegalStateException("experiment '" + experiment.kind() + "' returned no metrics");
            }
            return Outcome.ok(metrics, seconds(t0));
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
