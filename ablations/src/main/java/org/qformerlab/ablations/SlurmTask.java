package org.qformerlab.ablations;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One task of a study's SLURM job array, on the compute node: {@code SlurmTask <runDir> <attempts>
 * [run JVM options...]}. It plays the local executor's part for a single run — up to
 * {@code attempts} attempts, each in a child JVM ({@link RunMain}, the same entry point
 * {@code --parallel} uses) so that a run that crashes natively is still recorded — and writes the
 * run's {@code result.json}. The batch script calls it; not meant to be called by hand.
 *
 * <p>Exits 0 when the run finished, 1 when it failed (so SLURM's own view agrees), 2 on a usage error.
 * When SLURM stops the task (scancel, time limit; SIGTERM to every process of the job) it starts no
 * further attempt and writes no result: the study's status then reads SLURM's reason from the task's
 * output and records it.
 */
public final class SlurmTask {

    /** What a task needs to know about its run beyond the folder: written there as {@code task.json}. */
    record Run(String kind, String variant, long seed) {

        static final String FILE = "task.json";
    }

    /** Set when the JVM shuts down on a signal before the run ended. */
    private static volatile boolean stopping;

    private SlurmTask() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !args[1].matches("[0-9]+")) {
            System.err.println("usage: SlurmTask <run folder> <attempts> [JVM options of the run...]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        Run run = RunFiles.read(dir.resolve(Run.FILE), Run.class);
        if (run == null) {
            System.err.println("SlurmTask: no readable " + dir.resolve(Run.FILE) + ": submit the study again with"
                    + " qformerlab ablate SPEC --executor slurm, which writes it");
            System.exit(2);
        }
        int attempts = Integer.parseInt(args[1]);
        List<String> jvm = Arrays.asList(args).subList(2, args.length);
        String task = System.getenv().getOrDefault("SLURM_ARRAY_JOB_ID", "?") + "_"
                + System.getenv().getOrDefault("SLURM_ARRAY_TASK_ID", "?");
        String node = InetAddress.getLocalHost().getHostName();
        System.out.printf(Locale.ROOT, "SLURM task %s on %s: run %s (%s, seed %d), up to %d attempts%n", task, node,
                dir.getFileName(), run.variant(), run.seed(), attempts);
        RunFiles.appendLog(dir, "== SLURM task " + task + " on " + node + " ==");

        Experiment experiment = Experiments.find(run.kind());
        // a result left from before belongs to an earlier attempt: while this one runs there is none
        Files.deleteIfExists(dir.resolve("result.json"));
        JsonNode config = RunFiles.readTree(dir.resolve("config.json"));
        RunLauncher launcher = new ChildProcessLauncher(null, jvm, 1);
        Thread main = Thread.currentThread();
        Thread onSignal = new Thread(() -> {
            stopping = true;
            main.interrupt(); // the launcher then stops the run's JVM
            try {
                main.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(onSignal);
        RunResult result;
        try {
            result = RunLauncher.attempts(launcher, experiment, config, dir, run.variant(), run.seed(), attempts);
        } catch (InterruptedException e) {
            System.out.println("SLURM task " + task + " stopped by a signal; no result written");
            return; // the JVM is shutting down: exiting here would wait for the hook that waits for us
        }
        if (stopping) {
            System.out.println("SLURM task " + task + " stopped by a signal; no result written");
            return;
        }
        Runtime.getRuntime().removeShutdownHook(onSignal);
        RunFiles.writeJson(dir.resolve("result.json"), result);
        System.out.printf(Locale.ROOT, "run %s: %s in %.1f s after %d attempts%s%n", dir.getFileName(),
                result.status(), result.wallSeconds(), result.attempts(),
                result.isOk() ? "" : ": " + result.reason());
        System.exit(result.isOk() ? 0 : 1);
    }
}
