package org.qformerlab.ablations;

import java.nio.file.Path;

/**
 * The child-JVM side of {@link ChildProcessLauncher}: {@code RunMain <kind> <runDir>} reads the run's
 * {@code config.json}, runs the experiment with standard output as its log, and writes
 * {@code outcome.json}. Not meant to be called by hand.
 */
public final class RunMain {

    private RunMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: RunMain <experiment kind> <run folder>");
            System.exit(2);
        }
        Path dir = Path.of(args[1]);
        Experiment experiment = Experiments.find(args[0]);
        Outcome outcome = Attempt.execute(experiment, RunFiles.readTree(dir.resolve("config.json")), dir, System.out);
        System.out.flush();
        RunFiles.writeJson(dir.resolve(ChildProcessLauncher.OUTCOME), outcome);
        System.exit(0);
    }
}
