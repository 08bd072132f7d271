package org.qformerlab.kernel.magic;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.qformerlab.blip2.config.ObjectiveConfig;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.config.UserCache;
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
        TrainingRun run = new TrainingRun(name(), args.variable("as", "run"), context);
        if (args.has("resume")) {
            resume(Path.of(args.string("resume", null)), run, context);
            return;
        }
        List<String> sources = new ArrayList<>();
        ExperimentConfig config = run.withCallOptions(baseConfig(context.state(), sources), args, "train",
                QuickScale::stage1, sources);
        Path runDir = run.folder(args, name());
        context.println(String.format(Locale.ROOT, "stage 1: %d steps, batch %d, %d training images (%s) -> %s",
                config.train().steps(), config.train().batchSize(), config.data().trainCount(),
                String.join("; ", sources), runDir));
        train(config, runDir, false, run);
    }

    /** Trains (or resumes) and binds the result, or, when the stop button ends it, the stopped run. */
    private static void train(ExperimentConfig config, Path runDir, boolean resume, TrainingRun run) {
        Path cache = UserCache.folder();
        run.train("stage 1", Stage1Result.class,
                (log, display) -> Stage1Experiment.run(config, new Stage1Experiment.Options(runDir, cache, resume, log,
                        display)),
                result -> summary(result, run.variable()), stop -> "%train stage1 --resume " + stop.runDir());
    }

    /** {@code --resume RUN_DIR}: the run's own config, from its latest checkpoint to its last step. */
    private static void resume(Path runDir, TrainingRun run, MagicContext context) {
        ExperimentConfig config = run.resumable(runDir);
        context.println(String.format(Locale.ROOT, "stage 1: resuming %s from its latest checkpoint to step %d",
                runDir, config.train().steps()));
        train(config, runDir, true, run);
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
