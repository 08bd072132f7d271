package org.qformerlab.ablations;

import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.qformerlab.blip2.checkpoint.AtomicFiles;

/**
 * Runs a study as one SLURM job array: one array task per run, each running the run in a child JVM on
 * a compute node and writing into the same run folders as the local executor (the cluster's shared
 * file system holds the study folder). Nothing but the run folders and {@code squeue} is consulted,
 * so it works where accounting ({@code sacct}) is off.
 *
 * <p>The study folder gains {@code slurm/}: {@code study.sbatch} (the batch script of the latest
 * submission, readable and submittable by hand), {@code job-<id>.sbatch} (each submitted script),
 * {@code submissions.jsonl} (one line per submitted array: its job id and its runs in task order)
 * and {@code logs/<job>_<task>.out} (each task's output). Each submitted run folder gains
 * {@code task.json} (what the task needs to know about it).
 *
 * <ul>
 *   <li>{@link #submit}: submits the runs that are neither done nor in SLURM's queue.</li>
 *   <li>{@link #status}: each run pending, running, done or failed. A run whose task left the queue
 *       without a {@code result.json} (killed for time or memory, cancelled, lost with its node) is
 *       recorded as failed then, with the reason SLURM wrote into the task's output, so that it shows
 *       in the table and the next submission runs it again.</li>
 *   <li>{@link #run}: submits, waits until every task has left the queue, and builds the tables.</li>
 * </ul>
 */
final class SlurmExecutor {

    /** One {@code sbatch} of the study: the array's job id and its runs, task 0 first. */
    record Submission(String job, String submitted, List<String> runs, SlurmResources resources) {
    }

    private final Study study;
    private final RunOptions options;
    private final Path studyDir;
    private final PrintStream progress;
    private final RunFolders folders;
    private final SlurmResources resources;

    SlurmExecutor(Study study, RunOptions options, Path studyDir) {
        this.study = study;
        this.options = options;
        this.studyDir = studyDir.toAbsolutePath().normalize();
        this.progress = options.progress();
        this.folders = new RunFolders(study.experiment());
        this.resources = study.spec().slurm().over(options.slurm());
        resources.check("");
    }

    /** Whether the study in this folder was ever submitted to SLURM. */
    static boolean wasSubmitted(Path studyDir) {
        return Files.isRegularFile(submissionsFile(studyDir));
    }

    private static Path submissionsFile(Path studyDir) {
        return studyDir.resolve("slurm").resolve("submissions.jsonl");
    }

    /** The batch script of the latest submission (or dry run). */
    Path script() {
        return studyDir.resolve("slurm").resolve("study.sbatch");
    }

    /**
     * Submits every run that is not done and not pending or running in SLURM's queue, as one job
     * array (costliest runs first, as locally). With {@link RunOptions#dryRun} the run folders are
     * made ready and the script written, and nothing is submitted.
     */
    SlurmSubmission submit() throws IOException, InterruptedException {
        List<RunPlan> plans = study.plans(options.quick(), studyDir);
        StudyStatus before = status(plans);
        List<RunPlan> todo = new ArrayList<>();
        for (RunPlan plan : plans) {
            RunStatus.State state = before.of(plan.id()).state();
            if (state == RunStatus.State.FAILED || state == RunStatus.State.PENDING && before.of(plan.id()).task() == null) {
                todo.add(plan);
            }
        }
        long inQueue = before.runs().stream().filter(r -> r.task() != null
                && (r.state() == RunStatus.State.PENDING || r.state() == RunStatus.State.RUNNING)).count();
        long done = before.count(RunStatus.State.DONE);
        Experiment experiment = study.experiment();
        todo.sort(Comparator.comparingDouble((RunPlan plan) -> -experiment.relativeCost(plan.config())));
        progress.printf(Locale.ROOT, "study %s: %d runs, %d done, %d in SLURM's queue, %d to submit%n",
                study.spec().name(), plans.size(), done, inQueue, todo.size());
        if (todo.isEmpty()) {
            return new SlurmSubmission(null, null, List.of(), (int) done, (int) inQueue);
        }
        Files.createDirectories(studyDir.resolve("slurm").resolve("logs"));
        for (RunPlan plan : todo) {
            folders.prepare(plan);
            RunFiles.writeJson(plan.dir().resolve(SlurmTask.Run.FILE),
                    new SlurmTask.Run(experiment.kind(), plan.variant().name(), plan.seed()));
        }
        List<String> ids = todo.stream().map(RunPlan::id).toList();
        SlurmScript script = new SlurmScript(study.spec().name(), studyDir, ids, resources, java(), classPath(),
                runJvm(), options.attempts(), Path.of("").toAbsolutePath(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        AtomicFiles.write(script(), script.text().getBytes(StandardCharsets.UTF_8));
        script().toFile().setExecutable(true);
        if (options.dryRun()) {
            progress.printf(Locale.ROOT, "dry run: wrote %s (array %s, %d run%s); nothing submitted. Submit it with%n"
                    + "  sbatch %s%nor run this command again without --dry-run (then --status can follow the job).%n",
                    script(), script.array(), ids.size(), ids.size() == 1 ? "" : "s", script());
            return new SlurmSubmission(null, script(), ids, (int) done, (int) inQueue);
        }
        String job = Slurm.submit(script());
        Files.copy(script(), studyDir.resolve("slurm").resolve("job-" + job + ".sbatch"),
                StandardCopyOption.REPLACE_EXISTING);
        Submission record = new Submission(job, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), ids, resources);
        Files.writeString(submissionsFile(studyDir), RunFiles.JSON.writer().without(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(record) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        progress.printf(Locale.ROOT, "submitted job %s: array %s, %d run%s (script %s)%n", job, script.array(),
                ids.size(), ids.size() == 1 ? "" : "s", script());
        return new SlurmSubmission(job, script(), ids, (int) done, (int) inQueue);
    }

    /** Where each run stands; records the runs SLURM ended without a result as failed. */
    StudyStatus status() throws IOException, InterruptedException {
        return status(study.plans(options.quick(), studyDir));
    }

    private StudyStatus status(List<RunPlan> plans) throws IOException, InterruptedException {
        Map<String, String> tasks = latestTasks();
        // ask the queue before reading results: a task missing from the queue had finished, and
        // written whatever result it wrote, before the question
        Map<String, Slurm.Queued> queue = tasks.isEmpty() ? Map.of() : Slurm.queue();
        List<RunStatus> out = new ArrayList<>();
        for (RunPlan plan : plans) {
            out.add(status(plan, tasks.get(plan.id()), queue));
        }
        return new StudyStatus(study.spec().name(), studyDir, out);
    }

    private RunStatus status(RunPlan plan, String task, Map<String, Slurm.Queued> queue) throws IOException {
        String variant = plan.variant().name();
        Slurm.Queued queued = task == null ? null : queue.get(task);
        if (queued != null) {
            return queued.pending()
                    ? new RunStatus(plan.id(), variant, plan.seed(), RunStatus.State.PENDING, task,
                            "in SLURM's queue (" + queued.state().toLowerCase(Locale.ROOT) + ", reason " + queued.reason() + ")")
                    : new RunStatus(plan.id(), variant, plan.seed(), RunStatus.State.RUNNING, task,
                            queued.state().toLowerCase(Locale.ROOT) + " on " + queued.node());
        }
        RunResult result = RunFiles.read(plan.resultFile(), RunResult.class);
        if (result != null && folders.sameConfig(plan)) {
            return result.isOk()
                    ? new RunStatus(plan.id(), variant, plan.seed(), RunStatus.State.DONE, task,
                            String.format(Locale.ROOT, "%.1f s", result.wallSeconds()))
                    : new RunStatus(plan.id(), variant, plan.seed(), RunStatus.State.FAILED, task, result.reason());
        }
        if (result != null) {
            return new RunStatus(plan.id(), variant, plan.seed(), RunStatus.State.PENDING, null,
                    "its result is another config's (plan.json differs); submitting runs it again");
        }
        if (task == null) {
            return new RunStatus(plan.id(), variant, plan.seed(), RunStatus.State.PENDING, null, "not submitted");
        }
        // the task left the queue without a result: SLURM ended it; say why, and record it
        String reason = SlurmEnding.reason(output(task), resourcesOf(task));
        RunFiles.writeJson(plan.resultFile(), RunResult.failed(plan, reason));
        return new RunStatus(plan.id(), variant, plan.seed(), RunStatus.State.FAILED, task, reason);
    }

    /**
     * Submits the runs not done, waits until every task of the study has left SLURM's queue (one
     * progress line per finished run, as locally), then builds the tables and the report.
     */
    StudyResults run() throws IOException, InterruptedException {
        if (options.dryRun()) {
            throw new IllegalArgumentException("a dry run submits nothing, so there are no results to wait for:"
                    + " call Study.submit with dryRun, or leave dryRun out");
        }
        SlurmSubmission submission = submit();
        List<RunPlan> plans = study.plans(options.quick(), studyDir);
        await(plans);
        List<RunRecord> records = folders.records(plans, "no result.json after its SLURM task");
        return StudyResults.build(study, studyDir, records, submission.runs().size(), options.quick());
    }

    /** Polls {@code squeue} until no run of the study is pending or running, printing each run that ends. */
    private void await(List<RunPlan> plans) throws IOException, InterruptedException {
        Map<String, RunPlan> waiting = new LinkedHashMap<>();
        for (RunStatus r : status(plans).runs()) {
            if (r.state() == RunStatus.State.PENDING && r.task() != null || r.state() == RunStatus.State.RUNNING) {
                plans.stream().filter(p -> p.id().equals(r.run())).forEach(p -> waiting.put(p.id(), p));
            }
        }
        int total = waiting.size();
        int finished = 0;
        long t0 = System.nanoTime();
        while (!waiting.isEmpty()) {
            long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
            // every 2 s at first, then less often: a long study should not keep asking the controller
            Thread.sleep(1000L * Math.min(30, 2 + seconds / 20));
            StudyStatus now = status(new ArrayList<>(waiting.values()));
            for (RunStatus r : now.runs()) {
                if (r.state() == RunStatus.State.DONE || r.state() == RunStatus.State.FAILED) {
                    RunResult result = RunFiles.read(waiting.remove(r.run()).resultFile(), RunResult.class);
                    progress.printf(Locale.ROOT, "[%d/%d] %s: %s in %.1f s%s%n", ++finished, total, r.run(),
                            r.state() == RunStatus.State.DONE ? RunResult.OK : RunResult.FAILED,
                            result == null ? 0 : result.wallSeconds(),
                            r.state() == RunStatus.State.DONE ? "" : ": " + r.detail());
                } else if (r.state() == RunStatus.State.PENDING && r.task() == null) {
                    waiting.remove(r.run()); // not in SLURM's hands any more (its result is another config's)
                }
            }
        }
    }

    /**
     * The text the runs' records report when a run has no result: the run's state from SLURM's point of
     * view, or, where {@code squeue} cannot be asked (the folder was copied off the cluster), that.
     */
    Function<RunPlan, String> missingReasons() throws InterruptedException {
        if (!Slurm.available()) {
            return plan -> "no result.json (submitted to SLURM; squeue cannot be asked from here)";
        }
        try {
            StudyStatus now = status();
            return plan -> {
                RunStatus r = now.of(plan.id());
                return r.state() + (r.detail() == null ? "" : ": " + r.detail());
            };
        } catch (IOException e) {
            String why = e.getMessage();
            return plan -> "no result.json (submitted to SLURM; " + why + ")";
        }
    }

    /** The latest array task of each submitted run: run folder name to {@code job_index}. */
    private Map<String, String> latestTasks() throws IOException {
        Map<String, String> tasks = new HashMap<>();
        for (Submission s : submissions()) {
            for (int i = 0; i < s.runs().size(); i++) {
                tasks.put(s.runs().get(i), s.job() + "_" + i);
            }
        }
        return tasks;
    }

    private List<Submission> submissions() throws IOException {
        Path file = submissionsFile(studyDir);
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        List<Submission> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(RunFiles.JSON.readValue(line, Submission.class));
            }
        }
        return out;
    }

    private SlurmResources resourcesOf(String task) throws IOException {
        String job = task.substring(0, task.indexOf('_'));
        return submissions().stream().filter(s -> s.job().equals(job)).map(Submission::resources).findFirst()
                .orElse(resources);
    }

    /** A task's SLURM output, or {@code null} when it has none (it never started). */
    private String output(String task) throws IOException {
        Path file = studyDir.resolve("slurm").resolve("logs").resolve(task + ".out");
        return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The class path the tasks use: the child class path asked for, else this JVM's, entries absolute. */
    private String classPath() {
        String cp = options.classPath() != null ? options.classPath() : System.getProperty("java.class.path");
        List<String> entries = new ArrayList<>();
        for (String e : cp.split(File.pathSeparator)) {
            if (!e.isBlank()) {
                entries.add(Path.of(e).toAbsolutePath().normalize().toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /**
     * The run JVM's options: those asked for ({@link RunOptions#jvmArgs}), else a heap of half the
     * task's memory (the rest is PyTorch's native memory) or this JVM's {@code -Xmx}, and one
     * PyTorch thread per CPU of the task.
     */
    List<String> runJvm() {
        if (options.jvmArgs() != null) {
            return List.copyOf(options.jvmArgs());
        }
        List<String> out = new ArrayList<>();
        if (resources.mem() != null) {
            out.add("-Xmx" + Math.max(64, megabytes(resources.mem()) / 2) + "m");
        } else {
            ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(a -> a.startsWith("-Xmx"))
                    .reduce((a, b) -> b).ifPresent(out::add);
        }
        out.add("-D" + ChildProcessLauncher.THREADS + "=" + resources.cpus());
        return out;
    }

    /** A SLURM memory size in megabytes (no unit means megabytes, as SLURM reads it). */
    static long megabytes(String mem) {
        char unit = Character.toUpperCase(mem.charAt(mem.length() - 1));
        long n = Long.parseLong(Character.isDigit(unit) ? mem : mem.substring(0, mem.length() - 1));
        return switch (unit) {
            case 'K' -> Math.max(1, n / 1024);
            case 'G' -> n * 1024;
            case 'T' -> n * 1024 * 1024;
            default -> n;
        };
    }
}
