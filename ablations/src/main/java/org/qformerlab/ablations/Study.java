package org.qformerlab.ablations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.config.LocalNames;

/**
 * An ablation study ready to run: its spec, the experiment that runs it, and the base config every
 * variant starts from. Loading checks everything that can be checked without running: each variant's
 * overrides must name fields of the base config, and the experiment must accept each variant's
 * config, in full and in {@code --quick} form.
 *
 * <pre>{@code
 * StudyResults results = Study.load(Path.of("ablations/studies/01-itg-helps-retrieval.yaml"))
 *         .run(RunOptions.defaults().withQuick(true));
 * System.out.println(results.answer());
 * }</pre>
 */
public final class Study {

    private final StudySpec spec;
    private final Experiment experiment;
    private final ObjectNode base;
    private final String source;

    private Study(StudySpec spec, Experiment experiment, ObjectNode base, String source) {
        this.spec = spec;
        this.experiment = experiment;
        this.base = base;
        this.source = source;
        plans(false, Path.of("."));
        plans(true, Path.of("."));
    }

    /**
     * Reads a spec file, finds its experiment and checks every variant.
     *
     * @throws ConfigException naming the file, the field, the variant and the fix
     */
    public static Study load(Path specFile) {
        StudySpec spec = StudySpec.read(specFile);
        Path folder = specFile.toAbsolutePath().getParent();
        Experiment experiment;
        try {
            experiment = Experiments.find(spec.kind());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(specFile + ": kind: " + e.getMessage(), e);
        }
        return of(spec, experiment, folder, specFile.toString());
    }

    /**
     * A study from a parsed spec and a given experiment (notebooks, tests).
     *
     * @param folder where the spec's {@code baseFile} is looked up
     * @param source names the spec in error messages
     */
    public static Study of(StudySpec spec, Experiment experiment, Path folder, String source) {
        if (!experiment.kind().equals(spec.kind())) {
            throw new ConfigException(source + ": kind '" + spec.kind() + "' does not match the experiment's kind '"
                    + experiment.kind() + "'");
        }
        return new Study(spec, experiment, baseTree(spec, experiment, folder, source), source);
    }

    public StudySpec spec() {
        return spec;
    }

    public Experiment experiment() {
        return experiment;
    }

    /** The base config: the experiment's defaults, then the base file, then the inline base. */
    public ObjectNode base() {
        return base.deepCopy();
    }

    public List<Variant> variants() {
        return spec.variants();
    }

    /** Where results go by default: {@code runs/ablations/<name>[-quick]}. */
    public Path defaultFolder(boolean quick) {
        return Path.of("runs", "ablations", spec.name() + (quick ? "-quick" : ""));
    }

    /**
     * Every run, variant by variant and seed by seed, with its effective config.
     *
     * @throws ConfigException if an override names no field of the base config or the experiment
     *     rejects a variant's config
     */
    public List<RunPlan> plans(boolean quick, Path studyDir) {
        ObjectNode start = base.deepCopy();
        if (quick) {
            for (Map.Entry<String, JsonNode> e : spec.quickSet().entrySet()) {
                try {
                    ConfigTree.set(start, e.getKey(), e.getValue());
                } catch (IllegalArgumentException ex) {
                    throw new ConfigException(source + ": quick.set '" + e.getKey() + "': " + ex.getMessage(), ex);
                }
            }
        }
        List<Long> seeds = quick ? spec.quickSeedList() : spec.seedList();
        List<RunPlan> plans = new ArrayList<>();
        for (Variant v : variants()) {
            ObjectNode config = start.deepCopy();
            for (Map.Entry<String, JsonNode> e : v.overrides().entrySet()) {
                try {
                    ConfigTree.set(config, e.getKey(), e.getValue());
                } catch (IllegalArgumentException ex) {
                    throw new ConfigException(source + ": variant '" + v.name() + "': "
                            + v.sources().get(e.getKey()) + ".path: " + ex.getMessage(), ex);
                }
            }
            for (long seed : seeds) {
                ObjectNode seeded = config.deepCopy();
                try {
                    for (String path : spec.seedPaths()) {
                        ConfigTree.set(seeded, path, LongNode.valueOf(seed));
                    }
                } catch (IllegalArgumentException ex) {
                    throw new ConfigException(source + ": seedPath: " + ex.getMessage()
                            + "; set 'seedPath' to where the config keeps its seed", ex);
                }
                try {
                    experiment.validate(seeded);
                } catch (IllegalArgumentException ex) {
                    throw new ConfigException(source + ": variant '" + v.name() + "'" + (quick ? " (--quick)" : "")
                            + " is not a valid " + experiment.kind() + " config: " + ex.getMessage(), ex);
                }
                plans.add(new RunPlan(v, seed, seeded, studyDir.resolve("runs").resolve(RunPlan.id(v, seed))));
            }
        }
        return plans;
    }

    /**
     * Runs every variant and seed not already finished, then writes the tables and the report. With
     * {@link Executor#SLURM} the runs not done go to SLURM as one job array ({@link #submit}) and this
     * waits until every task has left the queue.
     */
    public StudyResults run(RunOptions options) throws IOException, InterruptedException {
        if (options.executor() == Executor.SLURM && !options.reportOnly()) {
            return new SlurmExecutor(this, options, folder(options)).run();
        }
        return new StudyRunner(this, options).run();
    }

    /**
     * Submits the runs that are neither done nor already in SLURM's queue as one job array (one task
     * per run) and returns without waiting; {@link RunOptions#dryRun} writes the batch script
     * ({@code slurm/study.sbatch} in the study folder) and submits nothing. The resources are the
     * spec's {@code slurm:} section with {@link RunOptions#slurm} laid over it.
     *
     * @throws IOException when sbatch is missing or refuses the job (its message says why)
     */
    public SlurmSubmission submit(RunOptions options) throws IOException, InterruptedException {
        return new SlurmExecutor(this, options, folder(options)).submit();
    }

    /**
     * Where each run stands — pending, running, done or failed — from the run folders and, when the
     * study was submitted to SLURM, {@code squeue}. A run whose SLURM task ended without a result
     * (killed for time or memory, cancelled) is recorded as failed with that reason.
     */
    public StudyStatus status(RunOptions options) throws IOException, InterruptedException {
        return new SlurmExecutor(this, options, folder(options)).status();
    }

    /** The study folder these options name: {@link RunOptions#out}, else {@link #defaultFolder}. */
    public Path folder(RunOptions options) {
        return options.out() != null ? options.out() : defaultFolder(options.quick());
    }

    private static ObjectNode baseTree(StudySpec spec, Experiment experiment, Path folder, String source) {
        JsonNode defaults = experiment.defaultConfig();
        if (defaults == null || !defaults.isObject()) {
            throw new IllegalStateException("experiment '" + experiment.kind() + "' gave a default config that is not a tree of fields");
        }
        ObjectNode tree = (ObjectNode) defaults.deepCopy();
        if (spec.baseFile() != null) {
            String escape = LocalNames.problem(spec.baseFile());
            if (escape != null) {
                throw new ConfigException(source + ": baseFile '" + spec.baseFile() + "' " + escape
                        + ": it must name a file in the spec's folder " + folder + " or below it");
            }
            Path file = folder.resolve(spec.baseFile());
            if (!Files.isRegularFile(file)) {
                throw new ConfigException(source + ": baseFile '" + spec.baseFile() + "' not found (looked for " + file
                        + "; the path is relative to the spec's folder)");
            }
            JsonNode fromFile;
            try {
                fromFile = StudySpec.YAML.readTree(file.toFile());
            } catch (IOException e) {
                throw new ConfigException(source + ": baseFile '" + spec.baseFile() + "' is not valid JSON/YAML: "
                        + e.getMessage(), e);
            }
            if (fromFile == null || !fromFile.isObject()) {
                throw new ConfigException(source + ": baseFile '" + spec.baseFile() + "' must hold a mapping of config sections");
            }
            ConfigTree.overlay(tree, fromFile);
        }
        if (spec.base() != null) {
            ConfigTree.overlay(tree, spec.base());
        }
        return tree;
    }
}
