package org.qformerlab.kernel.magic;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.qformerlab.blip2.config.ConfigPaths;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.train.Trainer;
import org.qformerlab.blip2.train.TrainingStoppedException;
import org.qformerlab.kernel.display.TrainingDisplay;

/**
 * What both {@code %train} stages do alike, once a stage has chosen its starting config: the call's
 * changes to it ({@code --steps} and {@code --seed} of the stage's training section, {@code --set},
 * then quick mode under {@code QFORMERLAB_QUICK}); the run folder; the live displays (the training
 * bar and loss plot, and a bar with an ETA for each counted phase of the library's progress lines:
 * feature extraction, pretraining, evaluation); and what the cell binds: the result, remembered for
 * {@code %eval}, or, when the stop button ended training at a step boundary, the {@link StoppedRun}
 * and how to resume it.
 */
final class TrainingRun {

    /** The experiment as a notebook runs it: progress lines to {@code log}, steps to {@code display}. */
    interface Experiment<R> {
        R run(PrintStream log, Trainer.Listener display);
    }

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final String stage;
    private final String variable;
    private final MagicContext context;

    /**
     * @param stage {@code stage1} or {@code stage2}, as the call names it
     * @param variable what the cell binds its result to
     */
    TrainingRun(String stage, String variable, MagicContext context) {
        this.stage = stage;
        this.variable = variable;
        this.context = context;
    }

    String variable() {
        return variable;
    }

    /**
     * {@code config} with the call's options: {@code --steps} and {@code --seed} of the training
     * section {@code trainSection} ({@code train} or {@code stage2.train}), then {@code --set}, then,
     * in quick mode, {@code quick} of the steps asked. What changed is added to {@code sources}.
     */
    ExperimentConfig withCallOptions(ExperimentConfig config, MagicArgs args, String trainSection,
                                     IntFunction<Map<String, String>> quick, List<String> sources) {
        Map<String, String> overrides = new LinkedHashMap<>();
        if (args.has("steps")) {
            overrides.put(trainSection + ".steps", String.valueOf(args.integer("steps", 0, 1)));
        }
        if (args.has("seed")) {
            overrides.put(trainSection + ".seed", String.valueOf(args.longValue("seed", 0)));
        }
        overrides.putAll(Overrides.of(args, "set"));
        config = ConfigPaths.withText(config, overrides);
        if (!overrides.isEmpty()) {
            sources.add(Overrides.describe(overrides));
        }
        if (QuickScale.active()) {
            Map<String, String> scaled = quick.apply(((Number) ConfigPaths.get(config, trainSection + ".steps")).intValue());
            config = ConfigPaths.withText(config, scaled);
            context.println(QuickScale.note(scaled));
        }
        return config;
    }

    /**
     * The config of the stopped run in {@code runDir} that {@code --resume} continues: its own
     * {@code config.json}, which must sit beside its {@code checkpoints/}.
     *
     * @throws MagicUsageException naming the folder and what it lacks
     */
    ExperimentConfig resumable(Path runDir) {
        Path configFile = runDir.resolve("config.json");
        if (!Files.isRegularFile(configFile) || !Files.isDirectory(runDir.resolve("checkpoints"))) {
            String kind = stage.equals("stage1") ? "stage-1" : "stage-2";
            throw new MagicUsageException("--resume " + runDir + ": not a " + kind + " run folder with checkpoints"
                    + " (it needs config.json and checkpoints/; %train " + stage + " prints the folder it writes)");
        }
        return ExperimentConfig.read(configFile, ExperimentConfig.embedded());
    }

    /**
     * The run folder: {@code --out}, else {@code runs/tests/<name>} emptied first (quick mode), else
     * {@code runs/notebook/<name>-<date>-<time>}.
     */
    Path folder(MagicArgs args, String name) throws IOException {
        return args.has("out") ? Path.of(args.string("out", null))
                : QuickScale.active() ? QuickScale.freshFolder(name)
                : Path.of("runs", "notebook", name + "-" + LocalDateTime.now().format(STAMP));
    }

    /**
     * Runs {@code experiment} under a training display titled {@code title}; binds its result as
     * {@code type} with {@code summary} printed, or the stopped run with the call that continues it
     * ({@code resume}; null when the stage cannot resume).
     */
    <R> void train(String title, Class<R> type, Experiment<R> experiment, Function<R, String> summary,
                   Function<TrainingStoppedException, String> resume) {
        TrainingDisplay display = TrainingDisplay.on(context.displays(), title, 250, 2000);
        CountedLines counted = new CountedLines(context.displays(), this::echo);
        R result;
        try {
            result = experiment.run(Lines.to(counted), display);
        } catch (TrainingStoppedException stop) {
            display.stopped("stopped at step " + stop.step() + "/" + stop.totalSteps() + "; checkpoint written");
            StoppedRun partial = StoppedRun.of(stage, stop, resume == null ? null : resume.apply(stop));
            context.println(partial.summary(variable));
            context.bind(variable, StoppedRun.class, partial);
            return;
        } catch (RuntimeException e) {
            display.stopped("stopped: " + e.getMessage());
            counted.stopAll("stopped: " + e.getMessage());
            throw e;
        }
        context.println(summary.apply(result));
        context.bind(variable, type, result);
        context.state().lastResult(result);
    }

    /** The library's progress lines, less the per-step lines the training bar already shows. */
    private void echo(String line) {
        if (!line.startsWith("step ")) {
            context.println(line);
        }
    }
}
