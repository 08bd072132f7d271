package org.qformerlab.ablations;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.qformerlab.blip2.train.TrainingStoppedException;

/**
 * Executes a study's runs and keeps them resumable.
 *
 * <ul>
 *   <li>A run whose {@code result.json} says {@code ok} for the same config ({@code plan.json}) is
 *       skipped.</li>
 *   <li>A run with no result (it crashed, or the study was stopped) or a failed one is run again; a
 *       run whose config changed since is started over in an emptied folder.</li>
 *   <li>A stop ({@link RunOptions#stopRequested}) ends the study at the next run boundary, or, for a
 *       run training in this JVM, at its next step boundary with a checkpoint that the next call
 *       continues from.</li>
 *   <li>Each run gets up to {@code attempts} attempts; the last one's outcome is written to
 *       {@code result.json} atomically, so a failure is recorded with its reason, never dropped.</li>
 *   <li>With {@code parallel > 1} (or {@code isolate}) every attempt runs in its own child JVM.</li>
 *   <li>Runs start costliest first ({@link Experiment#relativeCost}); the table keeps the spec's order.</li>
 *   <li>With {@code reportOnly} nothing runs: the table and report are rebuilt from the results there.</li>
 * </ul>
 */
final class StudyRunner {

    private final Study study;
    private final RunOptions options;
    private final PrintStream progress;
    private final RunFolders folders;

    StudyRunner(Study study, RunOptions options) {
        this.study = study;
        this.options = options;
        this.progress = options.progress();
        this.folders = new RunFolders(study.experiment());
    }

    StudyResults run() throws IOException, InterruptedException {
        Path studyDir = options.out() != null ? options.out() : study.defaultFolder(options.quick());
        List<RunPlan> plans = study.plans(options.quick(), studyDir);
        if (options.reportOnly()) {
            return reportOnly(studyDir, plans);
        }
        Files.createDirectories(studyDir.resolve("runs"));
        int parallel = options.parallel() != null ? options.parallel() : study.spec().parallel();
        boolean children = parallel > 1 || options.isolate();
        RunLauncher launcher = children
                ? new ChildProcessLauncher(options.classPath(), options.jvmArgs(), parallel)
                : new InProcessLauncher(options::stopAsked);

        List<RunPlan> pending = new ArrayList<>();
        for (RunPlan plan : plans) {
            if (folders.finished(plan)) {
                continue;
            }
            pending.add(plan);
        }
        // costliest first (a stable sort: equal costs keep the spec's order), so that parallel
        // workers finish together instead of one long run ending the study alone
        Experiment experiment = study.experiment();
        pending.sort(Comparator.comparingDouble((RunPlan plan) -> -experiment.relativeCost(plan.config())));
        progress.printf(Locale.ROOT, "study %s: %d variants x %d seeds = %d runs, %d to do (%s)%n",
                study.spec().name(), study.variants().size(), plans.size() / Math.max(1, study.variants().size()),
                plans.size(), pending.size(),
                children ? parallel + " at a time in child JVMs" : "one at a time in this JVM");

        AtomicInteger done = new AtomicInteger();
        if (parallel == 1) {
            for (RunPlan plan : pending) {
                if (options.stopAsked()) { // a run boundary: the finished runs stay, the rest wait
                    throw new StudyStoppedException(done.get(), pending.size(), studyDir);
                }
                try {
                    execute(plan, launcher, done, pending.size());
                } catch (TrainingStoppedException stop) { // a step boundary: the run keeps its checkpoint
                    progress.printf(Locale.ROOT, "[stopped] %s: %s%n", plan.id(), stop.getMessage());
                    throw new StudyStoppedException(done.get(), pending.size(), studyDir, plan.id(), stop);
                }
            }
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, Math.max(1, pending.size())));
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (RunPlan plan : pending) {
                    futures.add(pool.submit(() -> {
                        if (!options.stopAsked()) { // runs not yet started wait for the next call
                            execute(plan, launcher, done, pending.size());
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            } catch (ExecutionException e) {
                throw new IOException("a run could not be recorded: " + e.getCause().getMessage(), e.getCause());
            } finally {
                pool.shutdownNow();
            }
            if (options.stopAsked() && done.get() < pending.size()) {
                throw new StudyStoppedException(done.get(), pending.size(), studyDir);
            }
        }

        List<RunRecord> records = folders.records(plans, "no result.json after the run (was the study interrupted?)");
        return StudyResults.build(study, studyDir, records, pending.size(), options.quick());
    }

    /**
     * The table and report of the runs already in {@code studyDir}, running nothing. A run counts when
     * its {@code result.json} is there and its {@code plan.json} is this plan's; a run from before
     * {@code plan.json} was written (it has none) is taken as it is, and said so. Runs submitted to
     * SLURM that left its queue without a result are recorded as failed first, with SLURM's reason.
     */
    private StudyResults reportOnly(Path studyDir, List<RunPlan> plans) throws IOException, InterruptedException {
        if (!Files.isDirectory(studyDir.resolve("runs"))) {
            throw new IllegalArgumentException("--report-only: " + studyDir.resolve("runs") + " does not exist, so"
                    + " there is nothing to report; run the study first (without --report-only), or give its folder"
                    + " with --out");
        }
        Function<RunPlan, String> missing = plan -> "not run yet (no result.json)";
        if (SlurmExecutor.wasSubmitted(studyDir)) {
            missing = new SlurmExecutor(study, options, studyDir).missingReasons();
        }
        List<RunRecord> records = folders.records(plans, missing);
        long withResult = records.stream().filter(r -> r.result().isOk()).count();
        long withoutPlan = plans.stream().filter(p -> Files.isRegularFile(p.resultFile())
                && !Files.isRegularFile(p.planFile())).count();
        progress.printf(Locale.ROOT, "study %s: report only, %d of %d runs finished%s%n", study.spec().name(),
                withResult, plans.size(), withoutPlan == 0 ? ""
                        : " (" + withoutPlan + " predate plan.json and are reported as they are)");
        return StudyResults.build(study, studyDir, records, 0, options.quick());
    }

    private void execute(RunPlan plan, RunLauncher launcher, AtomicInteger done, int total)
            throws IOException, InterruptedException {
        folders.prepare(plan);
        RunResult result = RunLauncher.attempts(launcher, study.experiment(), plan.config(), plan.dir(),
                plan.variant().name(), plan.seed(), options.attempts());
        RunFiles.writeJson(plan.resultFile(), result);
        synchronized (progress) {
            progress.printf(Locale.ROOT, "[%d/%d] %s: %s in %.1f s%s%n", done.incrementAndGet(), total, plan.id(),
                    result.status(), result.wallSeconds(),
                    result.isOk() ? "" : " after " + result.attempts() + " attempts: " + result.reason());
        }
    }
}
