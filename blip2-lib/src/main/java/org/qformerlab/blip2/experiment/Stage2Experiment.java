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
import java.util.SplittableRandom;
import org.qformerlab.blip2.bridge.Bridge;
import org.qformerlab.blip2.bridge.QFormerBridge;
import org.qformerlab.blip2.bridge.Stage2Model;
import org.qformerlab.blip2.checkpoint.AtomicFiles;
import org.qformerlab.blip2.checkpoint.NameMap;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.data.BatchSampler;
import org.qformerlab.blip2.data.BatchSchedule;
import org.qformerlab.blip2.data.Instructions;
import org.qformerlab.blip2.data.QA;
import org.qformerlab.blip2.data.QuestionType;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.SampledBatch;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.data.TextTensors;
import org.qformerlab.blip2.data.WordTokenizer;
import org.qformerlab.blip2.eval.VqaAccuracy;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.experiment.config.Stage2Config;
import org.qformerlab.blip2.experiment.config.Stage2Init;
import org.qformerlab.blip2.experiment.evaluation.CaptionReading;
import org.qformerlab.blip2.experiment.evaluation.ImageConditioning;
import org.qformerlab.blip2.experiment.evaluation.Stage2Evaluation;
import org.qformerlab.blip2.experiment.report.LossSummary;
import org.qformerlab.blip2.experiment.report.Stage2Report;
import org.qformerlab.blip2.experiment.report.Stage2Result;
import org.qformerlab.blip2.llm.LanguageModelCache;
import org.qformerlab.blip2.llm.LanguageFamily;
import org.qformerlab.blip2.llm.LanguageText;
import org.qformerlab.blip2.llm.OptModel;
import org.qformerlab.blip2.llm.T5Model;
import org.qformerlab.blip2.nn.Devices;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.train.Checkpoints;
import org.qformerlab.blip2.train.MetricsLog;
import org.qformerlab.blip2.train.Trainer;
import org.qformerlab.blip2.vision.ImageFeatures;

/**
 * BLIP-2 stage 2 on the embedded shapes world, end to end. Read top to bottom, {@link #run} is:
 *
 * <ol>
 *   <li>generate the world and the frozen image features (as stage 1 does; both are cached);
 *   <li>load the frozen language model, pretrained on text alone (reading documents, no image's
 *       captions; shipped with the library, else pretrained once and cached: {@link LanguageModelCache});
 *   <li>build {@link Stage2Model}: the bridge ({@code stage2.bridge}), for a Q-Former from a stage-1
 *       checkpoint ({@link Stage2Init#STAGE1}) or randomly initialised ({@link Stage2Init#SCRATCH}),
 *       a new {@code opt_proj} and the frozen OPT, or ({@code stage2.language.family=T5}) a new
 *       {@code t5_proj} and the frozen T5;
 *   <li>train the bridge and the projection with the LM loss on the training captions (and, with
 *       {@code qaFraction > 0}, "Question: q Answer: a" strings); the LM never changes. Each text
 *       comes with its {@link Instructions instruction}, which an instruction-aware bridge reads.
 *       Every {@code train.evalEvery} steps the validation images are captioned and asked their
 *       questions ({@link Stage2Evaluation}; rows with {@code val_} metrics in {@code metrics.jsonl}):
 *       the learning curve on which stage 1 and scratch are compared at equal steps;
 *   <li>evaluate on the test images ({@link Stage2Evaluation}): generated captions (BLEU-4, CIDEr-D,
 *       attribute accuracy from the scene) and zero-shot VQA with the prompt "Question: {q} Answer:"
 *       per question type, next to the majority answer of each type;
 *   <li>write the run folder: {@code config.json}, {@code metrics.jsonl} (a final row holds the
 *       test evaluation), {@code checkpoints/}, {@code results.json}, {@code report.md}.
 * </ol>
 */
public final class Stage2Experiment {


    /**
     * Where and how to run.
     *
     * @param runDir the run folder (created if needed)
     * @param cacheRoot where encoders and the language model are cached between runs
     * @param stage1Run the stage-1 run or checkpoint folder for {@code init = STAGE1}, or null to
     *     take {@code stage2.stage1Run} from the config
     * @param resume continue from the run folder's latest checkpoint, if there is one (a finished run
     *     trains no further and is evaluated again)
     * @param log progress lines
     * @param listener also told of every training step (a notebook's live display); may be null
     */
    public record Options(Path runDir, Path cacheRoot, Path stage1Run, boolean resume, PrintStream log,
                          Trainer.Listener listener) {

        /** A new run, with a listener. */
        public Options(Path runDir, Path cacheRoot, Path stage1Run, PrintStream log, Trainer.Listener listener) {
            this(runDir, cacheRoot, stage1Run, false, log, listener);
        }

        /** A new run, progress lines only. */
        public Options(Path runDir, Path cacheRoot, Path stage1Run, PrintStream log) {
            this(runDir, cacheRoot, stage1Run, false, log, null);
        }

        public Options withResume(boolean resume) {
            return new Options(runDir, cacheRoot, stage1Run, resume, log, listener);
        }
    }

    private Stage2Experiment() {}

    /** Runs the experiment; see the class comment. */
    public static Stage2Result run(ExperimentConfig config, Options options) {
        ShapesDataset world = ShapesWorld.generate(config.data());
        try (NDManager root = NDManager.newBaseManager(Devices.resolve(config.stage2().train().device()))) {
            ImageFeatures features =
                    ImageEncoders.features(config.encoder(), world, options.cacheRoot(), root, options.log());
            return run(config, options, world, features, root);
        }
    }

    /** Runs stage 2 on a world and features the caller already has (the quickstart's). */
    static Stage2Result run(ExperimentConfig config, Options options, ShapesDataset world, ImageFeatures features,
                            NDManager root) {
        PrintStream log = options.log();
        Stage2Config s2 = config.stage2();
        Path runDir = createDirectories(options.runDir());
        Map<String, Double> seconds = new LinkedHashMap<>();
        long t0 = System.nanoTime();

        // 2. the frozen language model
        LanguageModelCache.Entry language =
                LanguageModelCache.pretrainOrLoad(s2.language(), world, options.cacheRoot(), root, log);
        seconds.put("language model", lap(t0));

        // 3. the model: the bridge (a Q-Former from stage 1 or scratch, or another), projection, frozen OPT or T5
        t0 = System.nanoTime();
        Path stage1 = stage1Folder(s2, options);
        Path checkpoint = stage1 == null ? null : checkpointIn(stage1);
        QFormerConfig qformer = stage1 == null
                ? config.resolved(features.width(), language.tokenizer().vocabSize()).qformer()
                : stage1Config(stage1).qformer();
        WordTokenizer qformerTokenizer = stage1 == null ? language.tokenizer() : stage1Tokenizer(stage1);
        if (qformer.visionWidth() != features.width()) {
            throw new ConfigException("the stage-1 Q-Former in " + stage1 + " reads image features of width "
                    + qformer.visionWidth() + " but this experiment's encoder gives width " + features.width()
                    + ": run stage 2 with the stage-1 run's data and encoder sections");
        }
        ExperimentConfig resolved = new ExperimentConfig(config.data(), config.encoder(), qformer, config.objective(),
                config.train(), config.eval(), stage1 == null ? s2 : s2.withStage1Run(stage1.toString()));
        AtomicFiles.writeString(runDir.resolve("config.json"), resolved.toJson());
        Seeds.set(s2.train().seed());
        LanguageFamily family = s2.language().family();
        Bridge bridge = s2.bridge().create(qformer, patches(features, world, root), s2.language().hiddenSize(),
                family == LanguageFamily.T5 ? QFormerBridge.T5_PROJ : QFormerBridge.OPT_PROJ);
        int maxText = textRoom(s2, bridge);
        Stage2Model model = model(bridge, language, root);
        if (s2.init() == Stage2Init.STAGE1) {
            if (!(bridge instanceof QFormerBridge q)) { // Stage2Config already rejects this
                throw new ConfigException("stage2.init=STAGE1 needs a Q-Former bridge; set stage2.init=SCRATCH");
            }
            Weights.load(q.qformer(), checkpoint.resolve("model.safetensors"), NameMap.LAVIS, Weights.Policy.strict());
            log.println("stage 2: " + bridge.type() + " bridge from the stage-1 checkpoint " + checkpoint);
        } else {
            log.println("stage 2: " + bridge.type() + " bridge randomly initialised (SCRATCH)");
        }
        LanguageText text = new LanguageText(language.tokenizer(), maxText, family);
        Instructions instructions = new Instructions(qformerTokenizer, qformer.maxTextLength());
        log.printf("stage 2: %s bridge, %d soft-prompt positions -> %s -> frozen %s (%d layers, hidden %d);"
                        + " %,d trainable parameters%n", bridge.type(), bridge.promptLength(),
                model.llm().projectionName(), family, s2.language().numLayers(),
                s2.language().hiddenSize(), model.parameterCount(true));

        // 4. training: the LM loss of the texts behind the soft prompt
        BatchSchedule schedule = new BatchSchedule(
                new BatchSampler(world.split(Split.TRAIN), s2.train().batchSize(), s2.train().seed()));
        Trainer.StepFunction step = (scope, s) -> {
            SampledBatch batch = schedule.at(s);
            NDArray images = features.get(scope, batch.sampleIds());
            List<TrainingText> batchTexts = trainingTexts(batch, s2, s);
            TextTensors texts = text.collate(scope, batchTexts.stream().map(TrainingText::text).toList());
            TextTensors instruction =
                    instructions.collate(scope, batchTexts.stream().map(TrainingText::instruction).toList());
            Stage2Model.Output out = model.forward(scope, images, instruction, texts.ids(), texts.mask(),
                    LanguageText.PROMPT_LENGTH, true);
            return Map.of("total", out.loss());
        };
        List<QA> trainingQas = world.split(Split.TRAIN).stream().flatMap(x -> x.qas().stream()).toList();
        Map<QuestionType, String> majority = VqaAccuracy.majorityAnswers(trainingQas);
        Stage2Evaluation evaluation = new Stage2Evaluation(model, features, text, instructions, majority, s2, root);
        List<Sample> validationImages = firstImages(world.split(Split.VAL), s2.evalImages());
        Trainer.Evaluator validation = s2.train().evalEvery() == 0 || validationImages.isEmpty() ? null
                : s -> evaluation.on(validationImages).metrics(Stage2Evaluation.VALIDATION);
        Map<String, Object> runInfo = new LinkedHashMap<>();
        runInfo.put("experiment", resolved);
        runInfo.put("stage1Checkpoint", checkpoint == null ? null : checkpoint.toString());
        Trainer.Result training = new Trainer(s2.train(), model, runDir, runInfo)
                .run(step, validation, Stage1Experiment.listeners(ProgressLines.stage2(log, s2.train().logEvery()),
                        options.listener()), options.resume());
        seconds.put("train", lap(t0));

        // 5. evaluation on the test images, its progress counted batch by batch (a notebook draws a bar with an ETA)
        t0 = System.nanoTime();
        List<Sample> images = firstImages(world.split(Split.TEST), s2.evalImages());
        CountedProgress progress = new CountedProgress(log, "evaluation", Stage2Evaluation.work(images)
                + CaptionReading.work(images) + ImageConditioning.work(images), "units");
        Stage2Evaluation.Outcome test = evaluation.on(images, progress);
        List<Stage2Result.Example> examples = new ArrayList<>();
        for (int i = 0; i < Math.min(images.size(), s2.examples()); i++) {
            examples.add(new Stage2Result.Example(images.get(i), test.captions().get(i), images.get(i).qas(),
                    test.answers().get(i)));
        }
        CaptionReading.Reading reading = CaptionReading.measure(language.language(), language.tokenizer(), text, images, majority,
                s2.language().maxPositions(), Stage2Evaluation.ANSWER_TOKENS, Stage2Evaluation.BATCH, root, progress);
        ImageConditioning conditioning = ImageConditioning.measure(model, features, text, instructions, images,
                Stage2Evaluation.BATCH, root, progress);
        progress.finish("done");
        seconds.put("eval", lap(t0));

        // 6. results and report
        Map<String, Object> languageRecord = new LinkedHashMap<>();
        languageRecord.put("folder", language.folder().toString());
        languageRecord.put("pretrainedNow", language.trainedNow());
        for (String field : List.of("seconds", "firstLoss", "lastLoss", "vocabSize", "trainingTexts")) {
            if (language.record().has(field)) {
                languageRecord.put(field, language.record().get(field).asDouble());
            }
        }
        Stage2Result result = new Stage2Result(runDir, resolved, checkpoint, training,
                LossSummary.read(runDir.resolve("metrics.jsonl")), images.size(), test.bleu4(), test.cider(),
                test.attributes(), test.vqa(), reading.all(), examples, languageRecord, seconds, model.parameterCount(true),
                conditioning, reading.stated());
        appendEvaluation(runDir.resolve("metrics.jsonl"), training.steps(), result.metrics());
        AtomicFiles.writeString(runDir.resolve("results.json"), Configs.toJson(result.summary()));
        log.println(Stage2Report.summaryLine(result));
        Stage2Report.write(result);
        return result;
    }

    /** A new Q-Former (random) and projection in front of a copy of the pretrained, frozen {@code lm}. */
    static Stage2Model model(QFormerConfig qformer, OptModel lm, NDManager manager) {
        return model(new QFormerBridge(qformer, lm.config().hiddenSize(), QFormerBridge.OPT_PROJ), lm, manager);
    }

    /** The bridge (initialised here, randomly) in front of a copy of the pretrained, frozen {@code lm}. */
    static Stage2Model model(Bridge bridge, OptModel lm, NDManager manager) {
        return copyLanguage(Stage2Model.create(bridge, lm.config(), manager), lm, OptModel.HUGGING_FACE_NAMES);
    }

    /**
     * The bridge (built for the LM's width and projection name) in front of a copy of the cached LM,
     * of either family ({@code stage2.language.family}).
     */
    static Stage2Model model(Bridge bridge, LanguageModelCache.Entry language, NDManager manager) {
        if (language.family() == LanguageFamily.T5) {
            T5Model t5 = language.t5();
            return copyLanguage(Stage2Model.create(bridge, t5.config(), manager), t5, T5Model.HUGGING_FACE_NAMES);
        }
        return model(bridge, language.model(), manager);
    }

    /** Loads the pretrained LM's weights into the stage-2 model's (frozen) copy of it. */
    private static Stage2Model copyLanguage(Stage2Model model, Module lm, NameMap names) {
        Weights.load(model.llm().module(), Weights.tensors(lm, names), names, Weights.Policy.strict());
        return model;
    }

    /** P, the patches per image of the encoder's features (the linear bridge's prompt length). */
    private static int patches(ImageFeatures features, ShapesDataset world, NDManager root) {
        try (NDManager scope = root.newSubManager()) {
            return (int) features.get(scope, new int[] {world.split(Split.TRAIN).get(0).id()}).getShape().get(1);
        }
    }

    /** The language model's positions left for text behind the bridge's soft prompt; at least 8. */
    private static int textRoom(Stage2Config s2, Bridge bridge) {
        int room = s2.language().maxPositions() - bridge.promptLength();
        if (room < 8) {
            throw new ConfigException("stage2.bridge.type=" + bridge.type() + " gives a soft prompt of "
                    + bridge.promptLength() + " positions, which leaves " + room + " of the language model's"
                    + " stage2.language.maxPositions=" + s2.language().maxPositions() + " for text (8 at least):"
                    + " raise stage2.language.maxPositions, or give the bridge fewer positions (fewer latents or"
                    + " queries; for linear, fewer patches: larger encoder.patchSize)");
        }
        return room;
    }

    /** One training text of the language model and the instruction it carries out ({@link Instructions}). */
    record TrainingText(String instruction, String text) {}

    /**
     * The batch's texts: each image's sampled caption, or with probability {@code qaFraction} one of
     * its QA strings instead; a function of (seed, step), like the batch itself.
     */
    static List<TrainingText> trainingTexts(SampledBatch batch, Stage2Config s2, long step) {
        SplittableRandom rng = new SplittableRandom(s2.train().seed() * 1_000_003L + step);
        List<TrainingText> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            List<QA> qas = batch.samples().get(i).qas();
            boolean asQa = s2.qaFraction() > 0 && rng.nextDouble() < s2.qaFraction() && !qas.isEmpty();
            QA qa = asQa ? qas.get(rng.nextInt(qas.size())) : null;
            out.add(new TrainingText(Instructions.of(qa), qa != null ? qa.promptWithAnswer() : batch.captions().get(i)));
        }
        return out;
    }

    /** The first {@code count} of {@code images} (0 = all of them). */
    private static List<Sample> firstImages(List<Sample> images, int count) {
        return count > 0 && count < images.size() ? images.subList(0, count) : images;
    }

    /** The stage-1 run or checkpoint folder to start from, or null for SCRATCH without one. */
    private static Path stage1Folder(Stage2Config s2, Options options) {
        Path given = options.stage1Run() != null ? options.stage1Run()
                : s2.stage1Run().isEmpty() ? null : Path.of(s2.stage1Run());
        if (given == null && s2.init() == Stage2Init.STAGE1) {
            throw new ConfigException("stage2.init=STAGE1 starts from a stage-1 Q-Former but no stage-1 run was given:"
                    + " set stage2.stage1Run to a stage-1 run folder (or one of its checkpoint folders), or set"
                    + " stage2.init=SCRATCH");
        }
        if (given != null && !Files.isDirectory(given)) {
            throw new ConfigException("the stage-1 run " + given + " does not exist: set stage2.stage1Run to a stage-1"
                    + " run folder (it holds config.json and checkpoints/)");
        }
        return given;
    }

    /** The checkpoint folder inside a run folder (its latest), or the folder itself if it is one. */
    static Path checkpointIn(Path folder) {
        if (Files.isRegularFile(folder.resolve("model.safetensors"))) {
            return folder;
        }
        Path latest = new Checkpoints(folder).latest();
        if (latest == null) {
            throw new ConfigException(folder + " holds no stage-1 checkpoint (no checkpoints/latest, no"
                    + " model.safetensors): finish the stage-1 run first, or name a checkpoint folder");
        }
        return latest;
    }

    /**
     * The tokenizer a stage-1 run's Q-Former reads ({@code tokenizer.json} of the run, or two levels
     * above a checkpoint): an instruction-aware bridge tokenises its instructions with it.
     */
    private static WordTokenizer stage1Tokenizer(Path folder) {
        for (Path candidate : new Path[] {folder.resolve("tokenizer.json"), folder.resolve("../../tokenizer.json")}) {
            if (Files.isRegularFile(candidate)) {
                try {
                    return WordTokenizer.load(candidate.normalize());
                } catch (IOException e) {
                    throw new ConfigException("cannot read the stage-1 tokenizer " + candidate + ": " + e.getMessage()
                            + "; re-run stage 1 or point stage2.stage1Run at an intact run folder", e);
                }
            }
        }
        throw new ConfigException("cannot find the stage-1 run's tokenizer.json in or above " + folder
                + ": stage 2 needs it for the Q-Former's vocabulary; point stage2.stage1Run at the run folder");
    }

    /** The config a stage-1 run was run with ({@code config.json} of the run, or two levels above a checkpoint). */
    private static ExperimentConfig stage1Config(Path folder) {
        for (Path candidate : new Path[] {folder.resolve("config.json"), folder.resolve("../../config.json")}) {
            if (Files.isRegularFile(candidate)) {
                return ExperimentConfig.read(candidate.normalize(), ExperimentConfig.embedded());
            }
        }
        throw new ConfigException("cannot find the stage-1 run's config.json in or above " + folder
                + ": stage 2 needs it for the Q-Former's shape; point stage2.stage1Run at the run folder");
    }

    private static void appendEvaluation(Path metricsFile, long step, Map<String, Double> metrics) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("step", step);
        row.put("eval", true);
        row.put(MetricsLog.FINAL, true);
        metrics.forEach((k, v) -> row.put(k, Double.isNaN(v) ? null : v));
        try (MetricsLog log = MetricsLog.open(metricsFile)) {
            log.append(row);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + metricsFile + ": " + e.getMessage(), e);
        }
    }

    private static double lap(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static Path createDirectories(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ConfigException("cannot create the run folder " + dir + ": " + e.getMessage(), e);
        }
    }
}
