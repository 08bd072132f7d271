package org.qformerlab.kernel.magic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.qformerlab.ablations.Experiment;
import org.qformerlab.ablations.Executor;
import org.qformerlab.ablations.Experiments;
import org.qformerlab.ablations.QuickSpec;
import org.qformerlab.ablations.RunOptions;
import org.qformerlab.ablations.SlurmResources;
import org.qformerlab.ablations.SlurmSubmission;
import org.qformerlab.ablations.Study;
import org.qformerlab.ablations.StudyResults;
import org.qformerlab.ablations.StudyStoppedException;
import org.qformerlab.ablations.StudySpec;
import org.qformerlab.ablations.StudyStatus;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.train.TrainingStoppedException;
import org.qformerlab.kernel.display.ProgressDisplay;
import org.qformerlab.kernel.jshell.CellThread;

/**
 * {@code %ablate SPEC|NAME [--quick --set path=value ... --out DIR --report-only --status --as NAME]
 * [--executor slurm [--wait] [--dry-run] [--mem SIZE ...]]}: runs an ablation study through the ablations
 * module's Java API ({@link Study#run}) inside the kernel — a progress bar that advances run by run,
 * then the one-line answers, the results table and the study's plots — or submits it to SLURM as a
 * job array ({@link Study#submit}). The results ({@link StudyResults}) are bound to a variable
 * (default {@code study}).
 */
public final class AblateMagic implements Magic {

    /** The study's line for a run that finished, {@code [3/8] ...}, which advances the bar. */
    private static final Pattern FINISHED_RUN = Pattern.compile("\\[\\d+/\\d+\\]");

    private static final MagicSpec SPEC = new MagicSpec(
            "ablate", false, "SPEC.yaml|NAME",
            "run an ablation study: progress, then its results table and plots",
            """
            Runs every variant x seed of a study spec (a YAML file, or the name of one under
            ablations/studies such as itg-helps-retrieval or 04-itc-mask), one after another in this
            kernel, then shows the answer to the study's question, the table (mean and spread over
            seeds of each metric per variant) and the plots, and binds the StudyResults. --quick uses
            the spec's quick section (fewer steps, one seed): a minute or two. Results go to
            runs/ablations/<name>[-quick]/; finished runs are kept and skipped when the study runs
            again. --set changes the base config of every variant. Under QFORMERLAB_QUICK=1 (the tests)
            --quick is implied, a stage-1 study runs on a tiny world for a few steps, and the results
            go to runs/tests/ablations-<name>/, emptied first. --report-only runs nothing and shows the
            runs already in the folder: a study still running, or one run from the command line.
            --status shows each run as pending, running, done or failed (with the reason).
            The stop button ends the study at the next step boundary of the run that is training, its
            checkpoint written (a run in a child JVM or on SLURM finishes first), keeps the finished
            runs and prints the call that resumes it; pressing stop a second time ends the cell at once.
            --executor slurm (in a kernel on a cluster's login node, the study folder on the shared
            file system) submits the runs not done as one SLURM job array, one task per run, and
            returns; --wait follows it with the progress bar and shows the results; --dry-run only
            writes the batch script. Resources: --cpus-per-task, --mem, --time, --partition,
            --account, --gres, --array-limit, --sbatch, --setup, over the spec's slurm: section
            (docs/cluster.md).""",
            List.of(
                    MagicOption.flag("quick", "the spec's quick section: fewer steps and seeds"),
                    MagicOption.repeated("set", "PATH=VALUE", "change the base config of every variant"),
                    MagicOption.valued("out", "DIR", "the study folder (default runs/ablations/<name>[-quick])"),
                    MagicOption.flag("report-only", "run nothing: show the table and plots of the runs already in DIR"),
                    MagicOption.flag("status", "run nothing: show each run as pending, running, done or failed"),
                    MagicOption.valued("executor", "local|slurm", "where the runs go: this kernel, or a SLURM job array"),
                    MagicOption.flag("wait", "with --executor slurm: wait for the array, then show the results"),
                    MagicOption.flag("dry-run", "with --executor slurm: write the batch script, submit nothing"),
                    MagicOption.valued("cpus-per-task", "N", "SLURM: CPUs (and PyTorch threads) per run"),
                    MagicOption.valued("mem", "SIZE", "SLURM: memory per run, e.g. 8G"),
                    MagicOption.valued("time", "LIMIT", "SLURM: time limit per run, e.g. 2:00:00"),
                    MagicOption.valued("partition", "P", "SLURM: the partition"),
                    MagicOption.valued("account", "A", "SLURM: the account charged"),
                    MagicOption.valued("gres", "G", "SLURM: generic resources per run, e.g. gpu:1"),
                    MagicOption.valued("array-limit", "N", "SLURM: at most N runs at once"),
                    MagicOption.repeated("sbatch", "OPTION", "SLURM: one more #SBATCH option, e.g. qos=short"),
                    MagicOption.repeated("setup", "LINE", "SLURM: a shell line run before each run"),
                    MagicOption.valued("as", "NAME", "variable to bind the StudyResults to (default study)")),
            List.of("%ablate itg-helps-retrieval --quick", "%ablate ../ablations/studies/04-itc-mask.yaml --quick",
                    "%ablate query-count --set train.steps=200",
                    "%ablate query-count --executor slurm --mem 8G --time 1:00:00", "%ablate query-count --status"));

    @Override
    public MagicSpec spec() {
        return SPEC;
    }

    @Override
    public List<String> completePositional(String prefix) {
        return studyNames().stream().filter(n -> n.startsWith(prefix)).toList();
    }

    @Override
    public void run(MagicArgs args, String body, MagicContext context) throws IOException, InterruptedException {
        args.atMostPositionals(1);
        String name = args.positional(0, null);
        if (name == null) {
            throw new MagicUsageException(SPEC, "name a study spec file or a study: " + String.join(", ", studyNames()));
        }
        String variable = args.variable("as", "study");
        Path file = resolve(name);
        StudySpec spec = StudySpec.read(file);
        Experiment experiment;
        try {
            experiment = Experiments.find(spec.kind());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": kind: " + e.getMessage(), e);
        }
        boolean quick = args.flag("quick");
        Map<String, String> notebookQuick = Map.of();
        if (QuickScale.active()) {
            quick = true;
            if (spec.kind().equals("stage1")) {
                notebookQuick = QuickScale.stage1(QuickScale.MAX_STEPS);
            }
            context.println(QuickScale.note(notebookQuick) + "; --quick implied");
        }
        spec = withOverrides(spec, Overrides.of(args, "set"), notebookQuick);
        Study study = Study.of(spec, experiment, file.toAbsolutePath().getParent(), file.toString());

        boolean reportOnly = args.flag("report-only");
        boolean status = args.flag("status");
        Executor executor = executor(args);
        boolean wait = args.flag("wait");
        boolean dryRun = args.flag("dry-run");
        SlurmResources resources = resources(args);
        if (executor != Executor.SLURM && (wait || dryRun || !resources.equals(SlurmResources.defaults()))) {
            throw new MagicUsageException(SPEC, "--wait, --dry-run and the SLURM resource options need --executor slurm");
        }
        if (wait && dryRun) {
            throw new MagicUsageException(SPEC, "--dry-run submits nothing, so there is nothing to --wait for");
        }
        Path folder = args.has("out") ? Path.of(args.string("out", null))
                : QuickScale.active() && !reportOnly && !status ? QuickScale.freshFolder("ablations-" + spec.name())
                : study.defaultFolder(quick);
        RunOptions base = RunOptions.defaults().withQuick(quick).withOut(folder).withReportOnly(reportOnly)
                .withExecutor(executor).withSlurm(resources).withDryRun(dryRun)
                .withProgress(Lines.to(context::println));
        if (status) {
            StudyStatus now = study.status(base);
            context.println("study " + spec.name() + " in " + now.folder() + ": " + now.summary());
            context.display(now.table());
            return;
        }
        if (executor == Executor.SLURM && !wait && !reportOnly) {
            SlurmSubmission submission = study.submit(base);
            if (dryRun && submission.script() != null) {
                context.println(Files.readString(submission.script()));
            } else if (submission.submitted()) {
                context.println("follow it with %ablate " + name + " --status" + (args.has("out") ? " --out " + folder : "")
                        + "; when it is done, --report-only shows the table and plots");
                context.display(study.status(base).table());
            }
            return;
        }
        int total = study.plans(quick, folder).size();
        context.println(String.format(Locale.ROOT, "study %s: %s%n%d variants, %d runs -> %s", spec.name(),
                spec.question(), study.variants().size(), total, folder));
        ProgressDisplay bar = ProgressDisplay.start(context.displays(), "study " + spec.name(), total, 250);
        int[] finished = {0};
        RunOptions options = base.withParallel(executor == Executor.SLURM ? null : 1)
                .withProgress(Lines.to(line -> {
                    if (FINISHED_RUN.matcher(line).lookingAt()) {
                        bar.update(++finished[0], line.substring(line.indexOf(']') + 1).trim());
                    } else if (executor == Executor.SLURM) {
                        context.println(line);
                    }
                }));
        StudyResults results;
        CellThread.cooperate(true); // a first stop ends the study at the next step or run boundary; a second forces it
        try {
            results = study.run(options.withStopRequested(CellThread.stopSignal()));
        } catch (StudyStoppedException stop) {
            bar.stopped("stopped after " + stop.finished() + " of " + stop.pending() + " runs");
            context.println(stopped(stop, resumeCall(name, args, stop.folder()))); // the spec as the call named it
            return;
        } catch (RuntimeException | IOException | InterruptedException e) {
            bar.stopped("stopped: " + e.getMessage());
            throw e;
        } finally {
            CellThread.cooperate(false);
        }
        bar.finish(results.executed() + " runs executed, " + (total - results.executed()) + " already done, "
                + results.failed() + " failed");
        if (results.headline() != null) {
            context.println(results.headline().sentence()); // the answer with its power, as the report opens
        }
        context.println(String.join("\n", results.answers()));
        context.display(results.table());
        for (BufferedImage tile : figureTiles(results.folder())) {
            context.display(tile);
        }
        context.println("report: " + results.report());
        context.bind(variable, StudyResults.class, results);
    }

    /** What the cell says of a stopped study: where it stopped, what is kept, the call that goes on. */
    static String stopped(StudyStoppedException stop, String resume) {
        TrainingStoppedException inRun = stop.stop();
        String kept = stop.finished() + (stop.finished() == 1 ? " finished run is" : " finished runs are") + " kept in "
                + stop.folder();
        if (inRun == null) {
            return "stopped at a run boundary: " + kept + "; " + resume + " resumes the study (finished runs are skipped)";
        }
        return "stopped at step " + inRun.step() + "/" + inRun.totalSteps() + " of the run " + stop.stoppedRun()
                + " (checkpoint " + inRun.checkpoint() + "); " + kept + "\n" + resume + " resumes the study: finished"
                + " runs are skipped, the stopped run continues from its checkpoint";
    }

    /** The call that resumes a stopped study: the same study, options and folder. */
    static String resumeCall(String name, MagicArgs args, Path folder) {
        StringBuilder call = new StringBuilder("%ablate " + name);
        if (args.flag("quick")) {
            call.append(" --quick");
        }
        for (String set : args.strings("set")) {
            call.append(" --set ").append(set);
        }
        return call.append(" --out ").append(folder).toString();
    }

    private static Executor executor(MagicArgs args) {
        try {
            return Executor.of(args.string("executor", "local"));
        } catch (IllegalArgumentException e) {
            throw new MagicUsageException(SPEC, "--executor: " + e.getMessage());
        }
    }

    /** The SLURM resources given as options (each left out stays the spec's). */
    private static SlurmResources resources(MagicArgs args) {
        SlurmResources r = SlurmResources.defaults()
                .withMem(args.string("mem", null)).withTime(args.string("time", null))
                .withPartition(args.string("partition", null)).withAccount(args.string("account", null))
                .withGres(args.string("gres", null)).withSbatch(args.strings("sbatch")).withSetup(args.strings("setup"));
        if (args.has("cpus-per-task")) {
            r = r.withCpusPerTask(args.integer("cpus-per-task", 1, 1));
        }
        if (args.has("array-limit")) {
            r = r.withArrayLimit(args.integer("array-limit", 1, 1));
        }
        try {
            r.check("--");
        } catch (IllegalArgumentException e) {
            throw new MagicUsageException(SPEC, e.getMessage());
        }
        return r;
    }

    /**
     * The spec with {@code --set} laid over its base, and the notebook's quick-mode overrides laid
     * over its quick section (after the spec's own, so that they win).
     */
    static StudySpec withOverrides(StudySpec spec, Map<String, String> set, Map<String, String> quick) {
        if (set.isEmpty() && quick.isEmpty()) {
            return spec;
        }
        ObjectNode base = spec.base() == null ? Configs.JSON.createObjectNode() : spec.base().deepCopy();
        set.forEach((path, value) -> put(base, path, yaml(path, value)));
        Map<String, JsonNode> quickSet = new LinkedHashMap<>(spec.quick().set() == null ? Map.of() : spec.quick().set());
        quick.forEach((path, value) -> quickSet.put(path, yaml(path, value)));
        return spec.toBuilder().base(base).quick(new QuickSpec(quickSet, spec.quick().seeds())).build();
    }

    /**
     * Sets {@code path} in a partial config tree, making the sections on the way (the study checks
     * the result against the experiment's config, unknown fields included).
     */
    private static void put(ObjectNode tree, String path, JsonNode value) {
        String[] parts = path.split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            node = child instanceof ObjectNode o ? o : node.putObject(parts[i]);
        }
        node.set(parts[parts.length - 1], value);
    }

    private static JsonNode yaml(String path, String value) {
        try {
            return Configs.YAML.readTree(value);
        } catch (IOException e) {
            throw new MagicUsageException(SPEC, "cannot read the value '" + value + "' for " + path);
        }
    }

    /** A spec file as given, or a study of that name (file {@code NN-name.yaml} or {@code name}) in the studies folder. */
    static Path resolve(String name) throws IOException {
        Path given = Path.of(name);
        if (Files.isRegularFile(given)) {
            return given;
        }
        Path studies = studiesFolder();
        if (studies != null && !name.contains("/")) {
            String stem = name.replaceFirst("\\.ya?ml$", "");
            try (Stream<Path> files = Files.list(studies)) {
                List<Path> found = files.filter(f -> {
                    String s = f.getFileName().toString().replaceFirst("\\.ya?ml$", "");
                    return f.toString().matches(".*\\.ya?ml$") && (s.equals(stem) || s.matches("\\d+-" + stem.replace(".", "\\.")));
                }).toList();
                if (found.size() == 1) {
                    return found.get(0);
                }
            }
        }
        throw new MagicUsageException(SPEC, "no study spec '" + name + "': give a YAML file or one of "
                + String.join(", ", studyNames()));
    }

    /** The names of the shipped studies, from their file names. */
    static List<String> studyNames() {
        Path studies = studiesFolder();
        if (studies == null) {
            return List.of("(" + InstalledProject.notFound() + ")");
        }
        try (Stream<Path> files = Files.list(studies)) {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.matches(".*\\.ya?ml$"))
                    .map(f -> f.replaceFirst("^\\d+-", "").replaceFirst("\\.ya?ml$", "")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The studies folder of the installed project, wherever the notebook is ({@link InstalledProject}). */
    static Path studiesFolder() {
        return InstalledProject.studies();
    }

    /**
     * The report's figures ({@code fig-NN-*.png}), one picture per kind — bars by variant, metric
     * against an axis, loss curves — each tiled two across at half size, so that a study with many
     * metrics stays readable in a notebook (report.md has them full size).
     */
    static List<BufferedImage> figureTiles(Path folder) throws IOException {
        Map<String, List<BufferedImage>> byKind = new LinkedHashMap<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(folder)) {
            files = list.filter(f -> f.getFileName().toString().matches("fig-.*\\.png")).sorted().toList();
        }
        for (Path f : files) {
            String n = f.getFileName().toString();
            String kind = n.contains("-by-variant") ? "bars" : n.contains("-vs-") ? "vs" : n.contains("-curves") ? "curves" : n;
            byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(ImageIO.read(f.toFile()));
        }
        List<BufferedImage> out = new ArrayList<>();
        byKind.values().forEach(images -> out.add(tile(images, 2, 0.5)));
        return out;
    }

    private static BufferedImage tile(List<BufferedImage> images, int columns, double scale) {
        if (images.size() == 1) {
            return images.get(0);
        }
        int w = (int) Math.round(images.stream().mapToInt(BufferedImage::getWidth).max().orElse(1) * scale);
        int h = (int) Math.round(images.stream().mapToInt(BufferedImage::getHeight).max().orElse(1) * scale);
        int cols = Math.min(columns, images.size());
        int rows = (images.size() + cols - 1) / cols;
        BufferedImage out = new BufferedImage(cols * w, rows * h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            for (int i = 0; i < images.size(); i++) {
                BufferedImage im = images.get(i);
                g.drawImage(im, (i % cols) * w, (i / cols) * h, (int) Math.round(im.getWidth() * scale),
                        (int) Math.round(im.getHeight() * scale), null);
            }
        } finally {
            g.dispose();
        }
        return out;
    }
}
