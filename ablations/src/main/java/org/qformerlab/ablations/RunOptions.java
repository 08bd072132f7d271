package org.qformerlab.ablations;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * How to run a study (as opposed to what it runs, which the spec says).
 *
 * <pre>{@code
 * Study.load(Path.of("ablations/studies/03-query-count.yaml"))
 *      .run(RunOptions.defaults().withQuick(true).withParallel(2));
 * // the same study as a SLURM job array, 4 CPUs and 16 GB per run, waiting for it to finish
 * Study.load(Path.of("ablations/studies/03-query-count.yaml"))
 *      .run(RunOptions.defaults().withExecutor(Executor.SLURM)
 *              .withSlurm(SlurmResources.defaults().withCpusPerTask(4).withMem("16G")));
 * }</pre>
 *
 * @param quick apply the spec's {@code quick} section (fewer steps and seeds), in a separate folder
 * @param parallel runs at once; {@code null} takes the spec's {@code parallel}. Above 1 each run
 *     gets its own child JVM
 * @param out the study folder; {@code null} means {@code runs/ablations/<name>} (with {@code -quick}
 *     appended for quick runs) under the working directory
 * @param isolate run in child JVMs even one at a time (a crash cannot take the study down)
 * @param attempts attempts per run before it is recorded as failed (2: one retry)
 * @param progress where one line per finished run goes
 * @param classPath the child JVMs' class path; {@code null} for this JVM's
 * @param jvmArgs the child JVMs' options; {@code null} to pass on this JVM's {@code -Xmx}
 * @param reportOnly run nothing: rebuild the table and report from the runs already in the folder
 *     (after the report code changed, or to read a study that is still running). A run without a
 *     result, or whose {@code plan.json} holds another config, is reported as not run
 * @param executor where the runs execute: {@link Executor#LOCAL} (default) or {@link Executor#SLURM},
 *     one job array with a task per run ({@link Study#submit}; {@link Study#run} submits and waits)
 * @param slurm SLURM resources laid over the spec's {@code slurm:} section; {@code null} keeps the spec's
 * @param dryRun with SLURM: write the batch script into the study folder and submit nothing
 * @param stopRequested polled before each run starts: when it says true the study stops at that run
 *     boundary with a {@link StudyStoppedException}, the finished runs kept; {@code null}: never
 */
public record RunOptions(boolean quick, Integer parallel, Path out, boolean isolate, int attempts,
        PrintStream progress, String classPath, List<String> jvmArgs, boolean reportOnly, Executor executor,
        SlurmResources slurm, boolean dryRun, java.util.function.BooleanSupplier stopRequested) {

    public RunOptions {
        if (parallel != null && parallel < 1) {
            throw new IllegalArgumentException("parallel=" + parallel + " must be at least 1");
        }
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts=" + attempts + " must be at least 1");
        }
        progress = progress == null ? System.out : progress;
        executor = executor == null ? Executor.LOCAL : executor;
        if (slurm != null) {
            slurm.check("");
        }
    }

    /** Full run, the spec's parallelism, default folder, two attempts, progress on standard output, locally. */
    public static RunOptions defaults() {
        return new RunOptions(false, null, null, false, 2, System.out, null, null, false, Executor.LOCAL, null, false, null);
    }

    public RunOptions withQuick(boolean q) {
        return new RunOptions(q, parallel, out, isolate, attempts, progress, classPath, jvmArgs, reportOnly, executor,
                slurm, dryRun, stopRequested);
    }

    public RunOptions withParallel(Integer p) {
        return new RunOptions(quick, p, out, isolate, attempts, progress, classPath, jvmArgs, reportOnly, executor,
                slurm, dryRun, stopRequested);
    }

    public RunOptions withOut(Path o) {
        return new RunOptions(quick, parallel, o, isolate, attempts, progress, classPath, jvmArgs, reportOnly, executor,
                slurm, dryRun, stopRequested);
    }

    public RunOptions withIsolate(boolean i) {
        return new RunOptions(quick, parallel, out, i, attempts, progress, classPath, jvmArgs, reportOnly, executor,
                slurm, dryRun, stopRequested);
    }

    public RunOptions withAttempts(int a) {
        return new RunOptions(quick, parallel, out, isolate, a, progress, classPath, jvmArgs, reportOnly, executor,
                slurm, dryRun, stopRequested);
    }

    public RunOptions withProgress(PrintStream p) {
        return new RunOptions(quick, parallel, out, isolate, attempts, p, classPath, jvmArgs, reportOnly, executor,
                slurm, dryRun, stopRequested);
    }

    /**
     * The class path and JVM options of the child JVMs that run each run (locally with
     * {@code parallel > 1} or {@code isolate}, and in every SLURM task).
     */
    public RunOptions withChildJvm(String cp, List<String> args) {
        return new RunOptions(quick, parallel, out, isolate, attempts, progress, cp, args, reportOnly, executor,
                slurm, dryRun, stopRequested);
    }

    public RunOptions withReportOnly(boolean r) {
        return new RunOptions(quick, parallel, out, isolate, attempts, progress, classPath, jvmArgs, r, executor,
                slurm, dryRun, stopRequested);
    }

    public RunOptions withExecutor(Executor e) {
        return new RunOptions(quick, parallel, out, isolate, attempts, progress, classPath, jvmArgs, reportOnly, e,
                slurm, dryRun, stopRequested);
    }

    /** SLURM resources laid over the spec's (the command line's {@code --mem}, {@code --time}, ...). */
    public RunOptions withSlurm(SlurmResources s) {
        return new RunOptions(quick, parallel, out, isolate, attempts, progress, classPath, jvmArgs, reportOnly,
                executor, s, dryRun, stopRequested);
    }

    public RunOptions withDryRun(boolean d) {
        return new RunOptions(quick, parallel, out, isolate, attempts, progress, classPath, jvmArgs, reportOnly,
                executor, slurm, d, stopRequested);
    }

    public RunOptions withStopRequested(java.util.function.BooleanSupplier stop) {
        return new RunOptions(quick, parallel, out, isolate, attempts, progress, classPath, jvmArgs, reportOnly,
                executor, slurm, dryRun, stop);
    }

    /** Whether a stop was asked (checked at run boundaries). */
    boolean stopAsked() {
        return stopRequested != null && stopRequested.getAsBoolean();
    }
}
