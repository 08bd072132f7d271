package org.qformerlab.kernel.magic;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qformerlab.blip2.config.ConfigPaths;
import org.qformerlab.blip2.config.ObjectiveConfig;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.experiment.Stage1Experiment;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.experiment.evaluation.SplitRetrieval;
import org.qformerlab.blip2.experiment.report.Stage1Result;
import org.qformerlab.blip2.train.TrainingStoppedException;
import org.qformerlab.kernel.display.TrainingDisplay;

/**
 * {@code %train stage1}: BLIP-2 stage 1 ({@link Stage1Experiment}: ITC + ITM + ITG on the embedded
 * shapes world, then retrieval on test and compositional) with the notebook's live progress bar and
 * loss plot. The config is the embedded preset (or the last {@code %%config experiment}), with the
 * notebook's current Q-Former variant and objective when {@code %qformer} / {@code %%config} made
 * them, then {@code --steps}, {@code --seed} and {@code --set}. The result is bound to a variable
 * (default {@code run}) and remembered for {@code %eval}.
 */
final class Stage1Training implements MagicTask {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    @Override
    public String name() {
        return "stage1";
    }

    @Override
    public String summary() {
        return "representation learning: ITC + ITM + ITG on the shapes world, then retrieval";
    }

    @Override
    public void run(MagicArgs args, MagicContext context) throws IOException {
        args.atMostPositionals(1);
        if (args.has("from") || args.flag("scratch")) {
            throw new MagicUsageException(args.spec(), "--from and --scratch choose where stage 2's Q-Former starts:"
                    + " %train stage2 --from RUN_DIR or %train stage2 --scratch");
        }
        String variable = args.variable("as", "run");
        if (args.has("resume")) {
            resume(Path.of(args.string("resume", null)), variable, context);
            return;
        }
        List<String> sources = new ArrayList<>();
        ExperimentConfig config = baseConfig(context.state(), sources);

        Map<String, String> overrides = new LinkedHashMap<>();
        if (args.has("steps")) {
            overrides.put("train.steps", String.valueOf(args.integer("steps", 0, 1)));
        }
        if (args.has("seed")) {
            overrides.put("train.seed", String.valueOf(args.longValue("seed", 0)));
        }
        overrides.putAll(Overrides.of(args, "set"));
        config = ConfigPaths.withText(config, overrides);
        if (!overrides.isEmpty()) {
            sources.add(Overrides.describe(overrides));
        }
        if (QuickScale.active()) {
            Map<String, String> quick = QuickScale.stage1(config.train().steps());
            config = ConfigPaths.withText(config, quick);
            context.println(QuickScale.note(quick));
        }

        Path runDir = args.has("out") ? Path.of(args.string("out", null))
                : QuickScale.active() ? QuickScale.freshFolder("stage1")
                : Path.of("runs", "notebook", "stage1-" + LocalDateTime.now().format(STAMP));
        Path cache = org.qformerlab.blip2.config.UserCache.folder();
        context.println(String.format(Locale.ROOT, "stage 1: %d steps, batch %d, %d training images (%s) -> %s",
                config.train().steps(), config.train().batchSize(), config.data().trainCount(),
                String.join("; ", sources), runDir));

        train(config, runDir, cache, false, variable, context);
    }

    /** Trains (or resumes) and binds the result, or, when the stop button ends it, the stopped run. */
    private static void train(ExperimentConfig config, Path runDir, Path cache, boolean resume, String variable,
                              MagicContext context) {
        TrainingDisplay display = TrainingDisplay.on(context.displays(), "stage 1", 250, 2000);
        Stage1Result result;
        CountedLines counted = new CountedLines(context.displays(), line -> echo(line, context));
        try {
            result = Stage1Experiment.run(config, new Stage1Experiment.Options(runDir, cache, resume,
                    Lines.to(counted), display));
        } catch (TrainingStoppedException stop) {
            display.stopped("stopped at step " + stop.step() + "/" + stop.totalSteps() + "; checkpoint written");
            StoppedRun partial = StoppedRun.of("stage1", stop, "%train stage1 --resume " + stop.runDir());
            context.println(partial.summary(variable));
            context.bind(variable, StoppedRun.class, partial);
            return;
        } catch (RuntimeException e) {
            display.stopped("stopped: " + e.getMessage());
            counted.stopAll("stopped: " + e.getMessage());
            throw e;
        }
        context.println(summary(result, variable));
        context.bind(variable, Stage1Result.class, result);
        context.state().lastResult(result);
    }

    /** {@code --resume RUN_DIR}: the run's own config, from its latest checkpoint to its last step. */
    private static void resume(Path runDir, String variable, MagicContext context) {
        Path configFile = runDir.resolve("config.json");
        if (!java.nio.file.Files.isRegularFile(configFile) || !java.nio.file.Files.isDirectory(runDir.resolve("checkpoints"))) {
            throw new MagicUsageException("--resume " + runDir + ": not a stage-1 run folder with checkpoints"
                    + " (it needs config.json and checkpoints/; %train stage1 prints the folder it writes)");
        }
        ExperimentConfig config = ExperimentConfig.read(configFile, ExperimentConfig.embedded());
        context.println(String.format(Locale.ROOT, "stage 1: resuming %s from its latest checkpoint to step %d",
                runDir, config.train().steps()));
        train(config, runDir, org.qformerlab.blip2.config.UserCache.folder(), true, variable, context);
    }

    /** The embedded preset or the last {@code %%config experiment}, with the notebook's variant and objective. */
    static ExperimentConfig baseConfig(MagicState state, List<String> sources) {
        ExperimentConfig config = state.lastConfig(ExperimentConfig.class).orElse(null);
        sources.add(config == null ? "embedded preset" : "%%config experiment");
        if (config == null) {
            config = ExperimentConfig.embedded();
        }
        QFormerConfig variant = state.currentVariant().orElse(null);
        if (variant != null) {
            config = config.with("qformer", variant);
            sources.add(String.format(Locale.ROOT, "Q-Former of %%qformer: %d queries, %d layers, hidden %d",
                    variant.numQueries(), variant.numLayers(), variant.hiddenSize()));
        }
        ObjectiveConfig objective = state.lastConfig(ObjectiveConfig.class).orElse(null);
        if (objective != null) {
            config = config.with("objective", objective);
            sources.add("objective of %%config objective");
        }
        return config;
    }

    /** The library's progress lines, less the per-step lines the progress bar already shows. */
    private static void echo(String line, MagicContext context) {
        if (!line.startsWith("step ")) {
            context.println(line);
        }
    }

    static String summary(Stage1Result r, String variable) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "trained %d steps in %.0f s (%.2f steps/s); bound to `%s`; run folder %s",
                r.training().steps(), r.seconds().getOrDefault("train", 0.0), r.training().stepsPerSecond(), variable,
                r.runDir()));
        SplitRetrieval test = r.retrieval().get(Split.TEST);
        if (test != null) {
            sb.append(String.format(Locale.ROOT, "%ntest recall@1 (ITC): image->text %.3f, text->image %.3f"
                            + " (chance %.3f / %.3f); %%eval retrieval shows the table",
                    test.itc().imageToText(1), test.itc().textToImage(1), test.chance().imageToText(1),
                    test.chance().textToImage(1)));
        }
        return sb.toString();
    }
}
