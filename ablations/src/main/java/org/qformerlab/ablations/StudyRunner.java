package org.qformerlab.ablations;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Executes a study's runs and keeps them resumable.
 *
 * <ul>
 *   <li>A run whose {@code result.json} says {@code ok} for the same config ({@code plan.json}) is
 *       skipped.</li>
 *   <li>A run with no result (it crashed, or the study was stopped) or a failed one is run again; a
 *       run whose config changed since is started over in an emptied folder.</li>
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

    StudyRunner(Study study, RunOptions options) {
        this.study = study;
        this.options = options;
        this.progress = options.progress();
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
                : new InProcessLauncher();

        List<RunPlan> pending = new ArrayList<>();
        for (RunPlan plan : plans) {
            if (finished(plan)) {
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
                execute(plan, launcher, done, pending.size());
            }
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, Math.max(1, pending.size())));
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (RunPlan plan : pending) {
                    futures.add(pool.submit(() -> {
                        execute(plan, launcher, done, pending.size());
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
        }

        List<RunRecord> records = new ArrayList<>();
        for (RunPlan plan : plans) {
            RunResult result = RunFiles.read(plan.resultFile(), RunResult.class);
            records.add(new RunRecord(plan, result != null ? result
                    : notRun(plan, "no result.json after the run (was the study interrupted?)")));
        }
        return StudyResults.build(study, studyDir, records, pending.size(), options.quick());
    }

    /**
     * The table and report of the runs already in {@code studyDir}, running nothing. A run counts when
     * its {@code result.json} is there and its {@code plan.json} is this plan's; a run from before
     * {@code plan.json} was written (it has none) is taken as it is, and said so.
     */
    private StudyResults reportOnly(Path studyDir, List<RunPlan> plans) throws IOException {
        if (!Files.isDirectory(studyDir.resolve("runs"))) {
            throw new IllegalArgumentException("--report-only: " + studyDir.resolve("runs") + " does not exist, so"
                    + " there is nothing to report; run the study first (without --report-only), or give its folder"
                    + " with --out");
        }
        List<RunRecord> records = new ArrayList<>();
        int withResult = 0;
        int withoutPlan = 0;
        for (RunPlan plan : plans) {
            RunResult result = RunFiles.read(plan.resultFile(), RunResult.class);
            if (result == null) {
                result = notRun(plan, "not run yet (no result.json)");
            } else if (!Files.isRegularFile(plan.planFile())) {
                withoutPlan++;
            } else if (!sameConfig(plan)) {
                result = notRun(plan, "ran with another config (its plan.json differs from the spec's);"
                        + " run ablate without --report-only to run it again");
            }
            withResult += result.isOk() ? 1 : 0;
            records.add(new RunRecord(plan, result));
        }
        progress.printf(Locale.ROOT, "study %s: report only, %d of %d runs finished%s%n", study.spec().name(),
                withResult, plans.size(), withoutPlan == 0 ? ""
                        : " (" + withoutPlan + " predate plan.json and are reported as they are)");
        return StudyResults.build(study, studyDir, records, 0, options.quick());
    }

    private static RunResult notRun(RunPlan plan, String reason) {
        return new RunResult(plan.variant().name(), plan.seed(), RunResult.FAILED, null, 0, reason, 0);
    }

    /** True when the run already finished successfully with exactly this config. */
    private boolean finished(RunPlan plan) throws IOException {
        RunResult result = RunFiles.read(plan.resultFile(), RunResult.class);
        return result != null && result.isOk() && sameConfig(plan);
    }

    /** Whether the run's {@code plan.json} holds this plan's config, fields added since filled in. */
    private boolean sameConfig(RunPlan plan) throws IOException {
        if (!Files.isRegularFile(plan.planFile())) {
            return false;
        }
        try {
            Experiment experiment = study.experiment();
            return RunFiles.sameTree(experiment.normalize(RunFiles.readTree(plan.planFile())),
                    experiment.normalize(plan.config()));
        } catch (IOException | IllegalArgumentException e) {
            return false; // unreadable, or no longer a valid config: run it again
        }
    }

    private void execute(RunPlan plan, RunLauncher launcher, AtomicInteger done, int total)
            throws IOException, InterruptedException {
        prepare(plan);
        Experiment experiment = study.experiment();
        Outcome outcome = null;
        int attempt = 0;
        while (attempt < options.attempts() && (outcome == null || !outcome.isOk())) {
            attempt++;
            appendLog(plan, "== attempt " + attempt + " at " + Instant.now() + " ==");
            outcome = launcher.launch(experiment, plan);
            if (!outcome.isOk()) {
                appendLog(plan, "== attempt " + attempt + " failed: " + outcome.reason() + " ==");
            }
        }
        RunResult result = RunResult.of(plan, outcome, attempt);
        RunFiles.writeJson(plan.resultFile(), result);
        synchronized (progress) {
            progress.printf(Locale.ROOT, "[%d/%d] %s: %s in %.1f s%s%n", done.incrementAndGet(), total, plan.id(),
                    result.status(), result.wallSeconds(),
                    result.isOk() ? "" : " after " + attempt + " attempts: " + result.reason());
        }
    }

    /**
     * Gets the run folder ready: an old result goes (so that a crash leaves no result behind), and a
     * folder holding a different config is emptied (its checkpoint belongs to another run).
     */
    private void prepare(RunPlan plan) throws IOException {
        if (Files.isDirectory(plan.dir()) && !sameConfig(plan)) {
            deleteTree(plan.dir());
        }
        Files.createDirectories(plan.dir());
        Files.deleteIfExists(plan.resultFile());
        RunFiles.writeJson(plan.planFile(), plan.config());
        RunFiles.writeJson(plan.configFile(), plan.config());
    }

    private static void appendLog(RunPlan plan, String line) throws IOException {
        Files.writeString(plan.logFile(), line + System.lineSeparator(), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
