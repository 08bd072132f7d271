package org.qformerlab.blip2.experiment;

import org.qformerlab.blip2.report.CountedProgress;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.checkpoint.AtomicFiles;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.data.BatchSampler;
import org.qformerlab.blip2.data.BatchSchedule;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.SampledBatch;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.data.TextPadding;
import org.qformerlab.blip2.data.TextTensors;
import org.qformerlab.blip2.data.WordTokenizer;
import org.qformerlab.blip2.experiment.config.EvalConfig;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.experiment.evaluation.BindingEvaluation;
import org.qformerlab.blip2.experiment.evaluation.EncoderProbe;
import org.qformerlab.blip2.experiment.evaluation.RetrievalEvaluation;
import org.qformerlab.blip2.experiment.evaluation.SplitBinding;
import org.qformerlab.blip2.experiment.evaluation.SplitRetrieval;
import org.qformerlab.blip2.experiment.report.LossSummary;
import org.qformerlab.blip2.experiment.report.Stage1Report;
import org.qformerlab.blip2.experiment.report.Stage1Result;
import org.qformerlab.blip2.nn.Devices;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.objectives.ItmAttention;
import org.qformerlab.blip2.objectives.Stage1Objective;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.train.Trainer;
import org.qformerlab.blip2.vision.ImageFeatures;

/**
 * BLIP-2 stage 1 on the embedded shapes world, end to end. Read top to bottom, {@link #run} is:
 *
 * <ol>
 *   <li>generate the world (train / val / test / compositional splits);
 *   <li>compute the frozen image encoder's features of every image, once;
 *   <li>build the word tokenizer from the training captions;
 *   <li>build the Q-Former; train it with ITC + ITM + ITG ({@link Stage1Objective}), batches from
 *       the seeded {@link BatchSampler}, validating retrieval on val every {@code evalEvery} steps;
 *   <li>evaluate retrieval on the final splits (test and compositional), ITC alone and with ITM
 *       re-ranking, beside the chance level; then the binding benchmark on the first of them;
 *   <li>write the run folder: {@code config.json}, {@code tokenizer.json}, {@code metrics.jsonl},
 *       {@code checkpoints/}, {@code results.json} and {@code report.md} with its figures.
 * </ol>
 *
 * With {@code resume}, training continues from the run folder's latest checkpoint and ends exactly
 * where an uninterrupted run would (batches, dropout and negatives are functions of the step).
 */
public final class Stage1Experiment {

    /**
     * Where and how to run.
     *
     * @param runDir the run folder (created if needed)
     * @param cacheRoot where encoders may cache weights and features between runs
     * @param resume continue from the run folder's latest checkpoint, if there is one
     * @param log progress lines
     * @param listener also told of every step and validation (a notebook's live display); may be null
     */
    public record Options(Path runDir, Path cacheRoot, boolean resume, PrintStream log, Trainer.Listener listener) {

        /** Progress lines only. */
        public Options(Path runDir, Path cacheRoot, boolean resume, PrintStream log) {
            this(runDir, cacheRoot, resume, log, null);
        }
    }

    private Stage1Experiment() {}

    /** Runs the experiment; see the class comment. */
    public static Stage1Result run(ExperimentConfig config, Options options) {
        PrintStream log = options.log();
        Path runDir = options.runDir();
        Timer timer = new Timer();
        createDirectories(runDir);

        // 1. data
        ShapesDataset world = ShapesWorld.generate(config.data());
        log.printf("data: shapes world, %d train / %d val / %d test / %d compositional images, %d captions each%n",
                world.split(Split.TRAIN).size(), world.split(Split.VAL).size(), world.split(Split.TEST).size(),
                world.split(Split.COMPOSITIONAL).size(), config.data().captionsPerImage());
        timer.lap("data");

        try (NDManager root = NDManager.newBaseManager(Devices.resolve(config.train().device()))) {
            // 2. frozen image features, computed once
            ImageFeatures features = ImageEncoders.features(config.encoder(), world, options.cacheRoot(), root, log);
            timer.lap("encoder");
            EncoderProbe probe = probe(config, world, features, root, log);
            timer.lap("encoder probe");

            // 3. tokenizer from the training captions; the Q-Former takes its widths from 2 and 3
            WordTokenizer tokenizer = WordTokenizer.fromTexts(trainingCaptions(world));
            ExperimentConfig resolved = config.resolved(features.width(), tokenizer.vocabSize());
            writeString(runDir.resolve("config.json"), resolved.toJson());
            saveTokenizer(tokenizer, runDir.resolve("tokenizer.json"));
            TextPadding padding = new TextPadding(tokenizer, resolved.qformer().maxTextLength());

            // 4. model and training
            Seeds.set(resolved.train().seed());
            Blip2QFormer model = Blip2QFormer.create(resolved.qformer(), root);
            log.printf("model: Q-Former hidden %d, %d layers, %d queries, %,d trainable parameters; device %s%n",
                    resolved.qformer().hiddenSize(), resolved.qformer().numLayers(), resolved.qformer().numQueries(),
                    model.parameterCount(true), root.getDevice());
            BatchSchedule schedule = new BatchSchedule(
                    new BatchSampler(world.split(Split.TRAIN), resolved.train().batchSize(), resolved.train().seed()));
            Stage1Objective objective = new Stage1Objective(resolved.objective());
            Trainer.StepFunction step = (scope, s) -> {
                SampledBatch batch = schedule.at(s);
                NDArray images = features.get(scope, batch.sampleIds());
                TextTensors texts = padding.collate(scope, batch.captions());
                NDArray alsoTrue = resolved.objective().itmExcludeFalseNegatives() ? batch.alsoTrue(scope) : null;
                return objective.forward(scope, model, images, texts.ids(), texts.mask(), alsoTrue, true).terms();
            };
            RetrievalEvaluation retrieval =
                    new RetrievalEvaluation(model, features, padding, resolved.eval().batchSize(),
                            resolved.objective().itmMask());
            int valK = resolved.eval().rerankDuringTraining() ? resolved.eval().rerankK() : 0;
            Trainer.Evaluator validation = world.split(Split.VAL).isEmpty() ? null
                    : s -> retrieval.evaluate(root, world, Split.VAL, valK, 0).metrics("val_");
            Map<String, Object> runInfo = new LinkedHashMap<>();
            runInfo.put("experiment", resolved);
            Trainer.Result training = new Trainer(resolved.train(), model, runDir, runInfo)
                    .withLossWeights(resolved.objective().weights())
                    .run(step, validation, listeners(ProgressLines.stage1(log, resolved.train().logEvery()), options.listener()),
                            options.resume());
            timer.lap("train");

            // 5. final evaluation, its progress counted batch by batch (a notebook draws a bar with an ETA)
            EvalConfig eval = resolved.eval();
            Map<Split, SplitRetrieval> results = new LinkedHashMap<>();
            long work = 0;
            for (Split split : eval.splits()) {
                work += retrieval.work(world, split, eval.rerankK(), eval.rerankImages());
            }
            CountedProgress progress = new CountedProgress(log, "evaluation", work, "units");
            for (Split split : eval.splits()) {
                String name = split.name().toLowerCase(java.util.Locale.ROOT);
                progress.advance(0, name + " split");
                SplitRetrieval r = retrieval.evaluate(root, world, split, eval.rerankK(),
                        split == eval.splits().get(0) ? eval.examples() : 0, eval.rerankImages(),
                        units -> progress.advance(units, name + " split"));
                results.put(split, r);
                log.println(ProgressLines.summary(name, r));
                timer.lap("eval " + name);
            }
            progress.finish("done");
            ItmAttention itmAttention = resolved.objective().itmWeight() > 0
                    ? itmAttention(model, root, world.split(resolved.eval().splits().get(0)), features, padding) : null;
            timer.lap("itm attention");
            SplitBinding binding = null;
            if (resolved.eval().binding()) {
                binding = new BindingEvaluation(model, features, padding, resolved.eval().batchSize(),
                        resolved.objective().itmMask())
                        .evaluate(root, world, resolved.eval().splits().get(0), resolved.data().seed());
                if (binding != null) {
                    log.println(ProgressLines.binding(binding));
                }
                timer.lap("binding");
            }

            // 6. results and report
            Stage1Result result = new Stage1Result(runDir, runDir.resolve("report.md"), resolved, training,
                    LossSummary.read(runDir.resolve("metrics.jsonl")), results, timer.seconds(),
                    model.parameterCount(true), itmAttention, binding, probe);
            writeString(runDir.resolve("results.json"), Configs.toJson(result.summary()));
            Stage1Report.write(result, world);
            return result;
        }
    }

    /** The console's lines, then the caller's listener when there is one. */
    static Trainer.Listener listeners(Trainer.Listener lines, Trainer.Listener extra) {
        if (extra == null) {
            return lines;
        }
        return new Trainer.Listener() {
            @Override
            public void onStep(Trainer.StepReport report) {
                lines.onStep(report);
                extra.onStep(report);
            }

            @Override
            public void onEvaluation(long step, Map<String, Double> metrics) {
                lines.onEvaluation(step, metrics);
                extra.onEvaluation(step, metrics);
            }

            @Override
            public boolean stopRequested() {
                return lines.stopRequested() || extra.stopRequested();
            }

            @Override
            public void onResume(String line) {
                lines.onResume(line);
                extra.onResume(line);
            }
        };
    }

    /**
     * The linear probe of the frozen features on the test split (fitted on train); null when the world
     * lacks a train or test split. Pixel patches' probe is left out here: on 7,056-wide features it
     * costs about a minute of a ten-minute run. The shipped encoder's {@code config.json} records both
     * on the default world, and {@code qformerlab pretrain vision} prints both.
     */
    private static EncoderProbe probe(ExperimentConfig config, ShapesDataset world, ImageFeatures features, NDManager root,
                                      PrintStream log) {
        if (world.split(Split.TRAIN).size() < 2 || world.split(Split.TEST).isEmpty()) {
            return null;
        }
        EncoderProbe probe = EncoderProbe.measure(config.encoder().displayName(), features, world, false, root);
        log.print(probe.lines());
        return probe;
    }

    /** How many pairs {@link ItmAttention} is measured on. */
    private static final int ITM_ATTENTION_PAIRS = 32;

    /**
     * {@link ItmAttention} on the split's first pairs (each image with its first caption); null
     * when the split has fewer than two images.
     */
    private static ItmAttention itmAttention(
            Blip2QFormer model, NDManager root, List<Sample> split, ImageFeatures features, TextPadding padding) {
        int n = Math.min(ITM_ATTENTION_PAIRS, split.size());
        if (n < 2) {
            return null;
        }
        int[] ids = new int[n];
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids[i] = split.get(i).id();
            captions.add(split.get(i).captions().get(0));
        }
        try (NDManager scope = root.newSubManager()) {
            TextTensors texts = padding.collate(scope, captions);
            return ItmAttention.measure(model, scope, features.get(scope, ids), texts.ids(), texts.mask());
        }
    }

    private static List<String> trainingCaptions(ShapesDataset world) {
        return world.split(Split.TRAIN).stream().flatMap(s -> s.captions().stream()).toList();
    }

    private static void saveTokenizer(WordTokenizer tokenizer, Path file) {
        try {
            tokenizer.save(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void writeString(Path file, String text) {
        AtomicFiles.writeString(file, text);
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ConfigException("cannot create the run folder " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Wall-clock seconds per phase, in order. */
    private static final class Timer {
        private final Map<String, Double> seconds = new LinkedHashMap<>();
        private long last = System.nanoTime();

        void lap(String phase) {
            long now = System.nanoTime();
            seconds.put(phase, (now - last) / 1e9);
            last = now;
        }

        Map<String, Double> seconds() {
            return new LinkedHashMap<>(seconds);
        }
    }
}
