package org.qformerlab.kernel.magic;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qformerlab.blip2.config.ConfigPaths;
import org.qformerlab.blip2.config.UserCache;
import org.qformerlab.blip2.experiment.Stage2Experiment;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.experiment.config.Stage2Init;
import org.qformerlab.blip2.experiment.report.Stage1Result;
import org.qformerlab.blip2.experiment.report.Stage2Result;
import org.qformerlab.kernel.display.TrainingDisplay;

/**
 * {@code %train stage2 [--from RUN_DIR | --scratch | --resume RUN_DIR]}: BLIP-2 stage 2 ({@link Stage2Experiment}). The
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
            resume(Path.of(args.string("resume", null)), new TrainingRun(name(), args.variable("as", "run2"), context),
                    context);
            return;
        }
        boolean scratch = args.flag("scratch");
        if (scratch && args.has("from")) {
            throw new MagicUsageException(args.spec(), "--from and --scratch exclude each other: the Q-Former starts"
                    + " from a stage-1 run or from random weights");
        }
        TrainingRun run = new TrainingRun(name(), args.variable("as", "run2"), context);
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

        config = run.withCallOptions(config, args, "stage2.train", QuickScale::stage2, sources);
        Path runDir = run.folder(args, "stage2-" + init.name().toLowerCase(Locale.ROOT));
        context.println(String.format(Locale.ROOT, "stage 2: %d steps, batch %d, frozen %s of %d layers (%s) -> %s",
                config.stage2().train().steps(), config.stage2().train().batchSize(), config.stage2().language().family(),
                config.stage2().language().numLayers(), String.join("; ", sources), runDir));

        train(config, runDir, stage1, false, run);
    }

    /**
     * Trains (or resumes) from {@code stage1} (null: from scratch) and binds the result, or, when the
     * stop button ends it, the stopped run.
     */
    private static void train(ExperimentConfig config, Path runDir, Path stage1, boolean resume, TrainingRun run) {
        Path cache = UserCache.folder();
        run.train("stage 2 (" + (resume ? "resumed" : stage1 == null ? "from scratch" : "from stage 1") + ")",
                Stage2Result.class,
                (log, display) -> Stage2Experiment.run(config, new Stage2Experiment.Options(runDir, cache, stage1, resume,
                        log, display)),
                result -> String.format(Locale.ROOT, "trained %d steps in %.0f s; bound to `%s`; run folder %s%n"
                                + "%%eval caption and %%eval vqa show the tables", result.training().steps(),
                        result.seconds().getOrDefault("train", 0.0), run.variable(), result.runDir()),
                stop -> "%train stage2 --resume " + stop.runDir());
    }

    /**
     * {@code --resume RUN_DIR}: the stage-2 run's own config (its {@code config.json} names the
     * stage-1 run it started from), from its latest checkpoint to its last step.
     */
    private static void resume(Path runDir, TrainingRun run, MagicContext context) {
        ExperimentConfig config = run.resumable(runDir);
        String from = config.stage2().stage1Run();
        Path stage1 = config.stage2().init() == Stage2Init.STAGE1 && !from.isEmpty() ? Path.of(from) : null;
        if (config.stage2().init() == Stage2Init.STAGE1 && (stage1 == null || !Files.isDirectory(stage1))) {
            throw new MagicUsageException("--resume " + runDir + ": the stage-1 run it started from ("
                    + (from.isEmpty() ? "not recorded" : from) + ") is gone; a stage-2 run resumes only beside"
                    + " its stage-1 run");
        }
        context.println(String.format(Locale.ROOT, "stage 2: resuming %s from its latest checkpoint to step %d",
                runDir, config.stage2().train().steps()));
        train(config, runDir, stage1, true, run);
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
}
