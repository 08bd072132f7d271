package org.qformerlab.kernel.magic;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qformerlab.blip2.config.ConfigPaths;
import org.qformerlab.blip2.experiment.Stage2Experiment;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.experiment.config.Stage2Init;
import org.qformerlab.blip2.experiment.report.Stage1Result;
import org.qformerlab.blip2.experiment.report.Stage2Result;
import org.qformerlab.kernel.display.TrainingDisplay;

/**
 * {@code %train stage2 [--from RUN_DIR | --scratch]}: BLIP-2 stage 2 ({@link Stage2Experiment}). The
 * Q-Former's query outputs, projected by {@code opt_proj}, become a soft prompt in front of a frozen
 * OPT (or, with {@code stage2.language.family=T5}, by {@code t5_proj} into a frozen T5's encoder);
 * only the Q-Former and the projection learn, from the LM loss of the captions. The Q-Former
 * starts from the last {@code %train stage1} run of the notebook (BLIP-2 as published), from the
 * stage-1 run folder {@code --from} names, or randomly initialised with {@code --scratch} (the
 * paper's ablation). The config is that stage-1 run's (same world, encoder and Q-Former shape),
 * else the notebook's; its {@code stage2} section is the notebook's {@code %%config experiment}
 * when there is one (so {@code stage2: {language: {family: T5}}} there takes effect); {@code --steps}, {@code --seed} and {@code --set} then change it
 * ({@code --steps}/{@code --seed} mean {@code stage2.train.*}). The result is bound to a variable
 * (default {@code run2}) and remembered for {@code %eval caption} and {@code %eval vqa}.
 */
final class Stage2Training implements MagicTask {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    @Override
    public String name() {
        return "stage2";
    }

    @Override
    public String summary() {
        return "generative learning: queries as a soft prompt for a frozen OPT or T5; from the last stage-1 run,"
                + " --from RUN_DIR or --scratch";
    }

    @Override
    public void run(MagicArgs args, MagicContext context) throws IOException {
        args.atMostPositionals(1);
        if (args.has("resume")) {
            throw new MagicUsageException(args.spec(), "--resume continues a stage-1 run; stage 2 cannot resume yet");
        }
        boolean scratch = args.flag("scratch");
        if (scratch && args.has("from")) {
            throw new MagicUsageException(args.spec(), "--from and --scratch exclude each other: the Q-Former starts"
                    + " from a stage-1 run or from random weights");
        }
        String variable = args.variable("as", "run2");
        List<String> sources = new ArrayList<>();
        Stage1Result lastStage1 = context.state().lastResult(Stage1Result.class).orElse(null);
        ExperimentConfig config;
        Path stage1 = null;
        if (args.has("from")) {
            stage1 = stage1Folder(args);
            config = ExperimentConfig.read(stage1.resolve("config.json"), ExperimentConfig.embedded());
            sources.add("Q-Former from the stage-1 run " + stage1);
        } else if (lastStage1 != null) {
            config = lastStage1.config();
            stage1 = scratch ? null : lastStage1.runDir();
            sources.add(scratch ? "Q-Former from scratch, shaped as the last %train stage1"
                    : "Q-Former from the last %train stage1 (" + lastStage1.runDir() + ")");
        } else if (scratch) {
            config = Stage1Training.baseConfig(context.state(), sources);
            sources.add("Q-Former from scratch");
        } else {
            throw new MagicUsageException(args.spec(), "no stage-1 run in this notebook yet: run %train stage1 first,"
                    + " or start from a stage-1 run folder (--from RUN_DIR) or from random weights (--scratch)");
        }
        ExperimentConfig notebook = context.state().lastConfig(ExperimentConfig.class).orElse(null);
        if (notebook != null && !sources.contains("%%config experiment")) {
            // the stage-1 run fixes the world, the encoder and the Q-Former; stage 2's own section
            // (its LM family, recipe, schedule) is what the notebook configured
            config = config.withStage2(notebook.stage2());
            sources.add("stage2 section of %%config experiment");
        }
        Stage2Init init = scratch ? Stage2Init.SCRATCH : Stage2Init.STAGE1;
        config = config.withStage2(config.stage2().withInit(init).withStage1Run(""));

        Map<String, String> overrides = new LinkedHashMap<>();
        if (args.has("steps")) {
            overrides.put("stage2.train.steps", String.valueOf(args.integer("steps", 0, 1)));
        }
        if (args.has("seed")) {
            overrides.put("stage2.train.seed", String.valueOf(args.longValue("seed", 0)));
        }
        overrides.putAll(Overrides.of(args, "set"));
        config = ConfigPaths.withText(config, overrides);
        if (!overrides.isEmpty()) {
            sources.add(Overrides.describe(overrides));
        }
        if (QuickScale.active()) {
            Map<String, String> quick = QuickScale.stage2(config.stage2().train().steps());
            config = ConfigPaths.withText(config, quick);
            context.println(QuickScale.note(quick));
        }

        String folder = "stage2-" + init.name().toLowerCase(Locale.ROOT);
        Path runDir = args.has("out") ? Path.of(args.string("out", null))
                : QuickScale.active() ? QuickScale.freshFolder(folder)
                : Path.of("runs", "notebook", folder + "-" + LocalDateTime.now().format(STAMP));
        Path cache = org.qformerlab.blip2.config.UserCache.folder();
        context.println(String.format(Locale.ROOT, "stage 2: %d steps, batch %d, frozen %s of %d layers (%s) -> %s",
                config.stage2().train().steps(), config.stage2().train().batchSize(), config.stage2().language().family(),
                config.stage2().language().numLayers(), String.join("; ", sources), runDir));

        TrainingDisplay display = TrainingDisplay.on(context.displays(),
                "stage 2 (" + (scratch ? "from scratch" : "from stage 1") + ")", 250, 2000);
        Stage2Result result;
        CountedLines counted = new CountedLines(context.displays(), line -> echo(line, context));
        try {
            result = Stage2Experiment.run(config, new Stage2Experiment.Options(runDir, cache, stage1,
                    Lines.to(counted), display));
        } catch (org.qformerlab.blip2.train.TrainingStoppedException stop) {
            display.stopped("stopped at step " + stop.step() + "/" + stop.totalSteps() + "; checkpoint written");
            StoppedRun partial = StoppedRun.of("stage2", stop, null);
            context.println(partial.summary(variable));
            context.bind(variable, StoppedRun.class, partial);
            return;
        } catch (RuntimeException e) {
            display.stopped("stopped: " + e.getMessage());
            counted.stopAll("stopped: " + e.getMessage());
            throw e;
        }
        context.println(String.format(Locale.ROOT, "trained %d steps in %.0f s; bound to `%s`; run folder %s%n"
                        + "%%eval caption and %%eval vqa show the tables",
                result.training().steps(), result.seconds().getOrDefault("train", 0.0), variable, result.runDir()));
        context.bind(variable, Stage2Result.class, result);
        context.state().lastResult(result);
    }

    private static Path stage1Folder(MagicArgs args) {
        Path folder = Path.of(args.string("from", null));
        if (!Files.isDirectory(folder)) {
            throw new MagicUsageException(args.spec(), "no stage-1 run folder " + folder.toAbsolutePath()
                    + ": --from names a folder that %train stage1 wrote");
        }
        if (!Files.isRegularFile(folder.resolve("config.json"))) {
            throw new MagicUsageException(args.spec(), folder + " has no config.json: not a stage-1 run folder");
        }
        return folder;
    }

    /** The library's progress lines, less the per-step lines the progress bar already shows. */
    private static void echo(String line, MagicContext context) {
        if (!line.startsWith("step ")) {
            context.println(line);
        }
    }
}
