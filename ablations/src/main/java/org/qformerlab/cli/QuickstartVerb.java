package org.qformerlab.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.qformerlab.blip2.experiment.Quickstart;
import org.qformerlab.blip2.experiment.Stage1Experiment;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;

/**
 * {@code qformerlab quickstart}: both BLIP-2 stages on the embedded shapes world, end to end
 * ({@link Quickstart}), with the {@link ExperimentConfig#embedded()} preset unless told otherwise;
 * prints progress and timings and, last, the path of the run's report.
 */
public final class QuickstartVerb implements Verb {

    @Override
    public String name() {
        return "quickstart";
    }

    @Override
    public String summary() {
        return "both stages on the embedded shapes world: train, evaluate retrieval, captions and VQA, write a report";
    }

    @Override
    public String usage() {
        return """
                usage: qformerlab quickstart [options]

                Generates the shapes world, computes the frozen image features, trains a Q-Former with
                ITC + ITM + ITG, evaluates image-text retrieval (ITC, then ITM re-ranking) on the test and
                compositional splits, and writes a run folder with config.json, metrics.jsonl,
                checkpoints/, results.json and report.md. Then stage 2: a small OPT pretrained on text
                alone (shipped with the library; `qformerlab pretrain language` remakes it) is frozen, and the Q-Former is trained to prompt it, once from
                the stage-1 checkpoint (stage2-from-stage1/) and once from scratch (stage2-scratch/) for
                the same steps; captions (CIDEr-D, BLEU-4, attribute accuracy) and zero-shot VQA (against
                the majority answer) of both join the report. About a quarter of an hour on two CPU
                cores (stage 1 alone about 6.5 minutes); QFORMERLAB_QUICK=1 runs a tenth of the
                stage-2 steps.

                options:
                  --config FILE      JSON or YAML laid over the preset; names only what it changes
                  --preset NAME      embedded (default) or tiny (seconds; a smoke test)
                  --set PATH=VALUE   change fields by dotted path, e.g. --set train.steps=400;qformer.numQueries=8
                                     (several separated by ';')
                  --steps N          training steps (same as --set train.steps=N)
                  --seed N           training seed: initialisation, batch order, dropout, negatives
                  --device D         auto (default), cpu, gpu or gpu:N
                  --out DIR          the run folder (default runs/quickstart-<date>-<time>)
                  --resume           continue the run in --out (default: the newest under runs/) from its
                                     latest complete checkpoints (stage 1, then each stage-2 run), with its
                                     config.json; a finished run trains nothing more
                  --cache DIR        where pretrained models and features are cached (default: the user cache,
                                     $QFORMERLAB_CACHE or ~/.cache/qformerlab)
                  --no-stage2        stop after stage 1
                  --stage2-steps N   stage-2 steps of each of the two runs (same as --set stage2.train.steps=N)
                """;
    }

    @Override
    public int run(Args args, PrintStream out) throws IOException {
        boolean resume = args.flag("resume");
        boolean stage2 = !args.flag("no-stage2");
        String configFile = args.string("config", null);
        String preset = args.string("preset", "embedded");
        String set = args.string("set", null);
        Path outDir = args.folder("out");
        String cache = args.string("cache", org.qformerlab.blip2.config.UserCache.folder().toString());
        Map<String, String> overrides = new LinkedHashMap<>();
        if (set != null) {
            for (String assignment : set.split(";")) {
                int eq = assignment.indexOf('=');
                if (assignment.isBlank()) {
                    continue;
                }
                if (eq <= 0) {
                    throw new Args.UsageException("--set needs PATH=VALUE (e.g. train.steps=400), got '" + assignment + "'");
                }
                overrides.put(assignment.substring(0, eq).trim(), assignment.substring(eq + 1).trim());
            }
        }
        if (args.has("steps")) {
            overrides.put("train.steps", String.valueOf(args.integer("steps", 0)));
        }
        if (args.has("seed")) {
            overrides.put("train.seed", String.valueOf(args.integer("seed", 0)));
        }
        if (args.has("stage2-steps")) {
            overrides.put("stage2.train.steps", String.valueOf(args.integer("stage2-steps", 0)));
        }
        if (args.has("device")) {
            overrides.put("train.device", args.string("device", "auto"));
            overrides.put("stage2.train.device", args.string("device", "auto"));
        }
        args.checkAllUsed();
        if (!args.positional().isEmpty()) {
            throw new Args.UsageException("unexpected argument '" + args.positional().get(0) + "'");
        }

        Path runDir;
        ExperimentConfig config;
        if (resume) {
            if (configFile != null) {
                throw new Args.UsageException("--resume continues a run with its own config.json; drop --config");
            }
            runDir = outDir != null ? outDir : newestRun(Path.of("runs"));
            Path saved = runDir.resolve("config.json");
            if (!Files.isRegularFile(saved)) {
                throw new Args.UsageException("cannot resume " + runDir + ": it has no config.json (not a run folder?)");
            }
            config = ExperimentConfig.read(saved, ExperimentConfig.embedded());
            out.println("resuming " + runDir);
        } else {
            config = switch (preset) {
                case "embedded" -> ExperimentConfig.embedded();
                case "tiny" -> ExperimentConfig.tiny();
                default -> throw new Args.UsageException("--preset must be embedded or tiny, got '" + preset + "'");
            };
            if (configFile != null) {
                config = ExperimentConfig.read(Path.of(configFile), config);
            }
            runDir = outDir != null ? outDir
                    : Path.of("runs", "quickstart-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            if (Files.exists(runDir.resolve("config.json"))) {
                throw new Args.UsageException(runDir + " already holds a run; pick another --out, or add --resume");
            }
        }
        if (!overrides.isEmpty()) {
            config = org.qformerlab.blip2.config.ConfigPaths.withText(config, overrides);
        }

        out.println("run folder: " + runDir);
        Quickstart.Result result = Quickstart.run(config,
                new Stage1Experiment.Options(runDir, Path.of(cache), resume, out), stage2);
        out.println("report: " + result.report().toAbsolutePath().normalize());
        return 0;
    }

    private static Path newestRun(Path runs) throws IOException {
        if (!Files.isDirectory(runs)) {
            throw new Args.UsageException("nothing to resume: there is no runs/ folder here; name the run with --out");
        }
        try (Stream<Path> s = Files.list(runs)) {
            return s.filter(p -> Files.isRegularFile(p.resolve("config.json")))
                    .max(Comparator.comparing(p -> p.toFile().lastModified()))
                    .orElseThrow(() -> new Args.UsageException("nothing to resume: no run folder in " + runs));
        }
    }
}
