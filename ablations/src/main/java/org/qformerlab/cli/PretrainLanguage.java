package org.qformerlab.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.qformerlab.blip2.checkpoint.AtomicFiles;
import org.qformerlab.blip2.config.ConfigPaths;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.data.QuestionType;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.eval.VqaAccuracy;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.experiment.evaluation.CaptionReading;
import org.qformerlab.blip2.llm.LanguageModelCache;
import org.qformerlab.blip2.llm.LanguagePretrainConfig;
import org.qformerlab.blip2.nn.Devices;
import org.qformerlab.blip2.train.RunFolder;

/**
 * {@code qformerlab pretrain language}: pretrains the preset's frozen OPT on its text
 * ({@link org.qformerlab.blip2.data.LanguageCorpus}) and writes {@code model.safetensors},
 * {@code tokenizer.json} and {@code config.json} into a folder, by default the one the library
 * ships ({@link LanguageModelCache#SHIPPED} under {@code blip2-lib/src/main/resources}), which runs
 * then load instead of pretraining. Last it asks the LM the test questions behind each test image's
 * true captions ({@link CaptionReading}) and records its reading per question type in
 * {@code config.json}.
 */
final class PretrainLanguage {

    static final String SUMMARY = "the OPT that stage 2 freezes, pretrained on text alone; records its reading";
    static final Path DEFAULT_OUT = Path.of("blip2-lib/src/main/resources" + LanguageModelCache.SHIPPED);
    static final String USAGE = """
            usage: qformerlab pretrain language [options]

            Pretrains the preset's frozen language model (stage2.language) on its text alone: documents
            about random scenes of the preset's world and of an everyday world, in paraphrase, each
            followed by questions it answers. Writes model.safetensors, tokenizer.json and config.json
            into --out: by default the library's shipped copy, which every run whose recipe and world
            match then loads instead of pretraining (a run with another recipe pretrains its own and
            caches it). Then asks the LM the test questions behind each test image's true captions and
            prints, and records in config.json, what it answers per question type. Run it from the
            repository root; about 17 minutes on two loaded CPU cores for the embedded preset (with
            --run DIR an interrupted run continues where it stopped: add --resume to the same command).

            options:
              --preset NAME      embedded (default) or tiny (seconds; a smoke test)
              --set PATH=VALUE   change fields by dotted path, e.g. --set stage2.language.steps=1500
                                 (several separated by ';')
              --steps N          pretraining steps (same as --set stage2.language.steps=N)
              --out DIR          where to write the three files (default
                                 blip2-lib/src/main/resources/org/qformerlab/blip2/llm/embedded)
              --reading-images N test images whose questions measure the reading (default all)
              --device D         auto (default), cpu, gpu or gpu:N
            """ + PretrainVerb.RUN_OPTIONS;

    private PretrainLanguage() {}

    static int run(Args args, PrintStream out) {
        String preset = args.string("preset", "embedded");
        String set = args.string("set", null);
        Path folder = Path.of(args.string("out", DEFAULT_OUT.toString()));
        int readingImages = args.integer("reading-images", 0);
        String device = args.string("device", "auto");
        RunFolder run = PretrainVerb.runFolder(args);
        Map<String, String> overrides = new LinkedHashMap<>();
        if (set != null) {
            for (String assignment : set.split(";")) {
                int eq = assignment.indexOf('=');
                if (eq <= 0) {
                    throw new Args.UsageException("--set needs PATH=VALUE (e.g. stage2.language.steps=1500), got '"
                            + assignment + "'");
                }
                overrides.put(assignment.substring(0, eq).trim(), assignment.substring(eq + 1).trim());
            }
        }
        if (args.has("steps")) {
            overrides.put("stage2.language.steps", String.valueOf(args.integer("steps", 0)));
        }
        args.checkAllUsed();
        if (readingImages < 0) {
            throw new Args.UsageException("--reading-images must be 0 (all) or more, got " + readingImages);
        }
        ExperimentConfig config = switch (preset) {
            case "embedded" -> ExperimentConfig.embedded();
            case "tiny" -> ExperimentConfig.tiny();
            default -> throw new Args.UsageException("--preset must be embedded or tiny, got '" + preset + "'");
        };
        if (!overrides.isEmpty()) {
            config = ConfigPaths.withText(config, overrides);
        }
        if (!args.has("out") && !Files.isDirectory(Path.of("blip2-lib/src/main/resources"))) {
            throw new IllegalArgumentException("no blip2-lib/src/main/resources here: run from the repository root,"
                    + " or give --out DIR");
        }
        LanguagePretrainConfig language = config.stage2().language();
        if (language.family() == org.qformerlab.blip2.llm.LanguageFamily.T5 && !args.has("out")) {
            throw new Args.UsageException("the library ships an OPT, not a T5 (stage2.language.family=T5 is pretrained"
                    + " into the cache when a run needs it): give --out DIR to write a T5 elsewhere");
        }
        ShapesDataset world = ShapesWorld.generate(config.data());
        try (NDManager manager = NDManager.newBaseManager(Devices.resolve(device))) {
            LanguageModelCache.Entry entry = LanguageModelCache.pretrain(language, world, folder, run, manager, out);
            CaptionReading.Reading reading = CaptionReading.measure(entry, world, Split.TEST, readingImages, manager);
            ObjectNode record = ((ObjectNode) entry.record()).deepCopy();
            ObjectNode read = record.putObject("reading");
            VqaAccuracy all = reading.all();
            out.println("reading the true captions of the test images (answer / majority answer / questions):");
            for (QuestionType type : all.types()) {
                String name = type.name().toLowerCase(Locale.ROOT);
                read.put(name, all.accuracy(type));
                read.put(name + "_majority", all.majorityAccuracy(type));
                out.printf(Locale.ROOT, "  %-9s %.3f / %.3f / %d%n", name, all.accuracy(type), all.majorityAccuracy(type),
                        all.count(type));
            }
            read.put("all", all.overall());
            int stated = reading.stated().count(QuestionType.RELATION);
            if (stated > 0) {
                double accuracy = reading.stated().accuracy(QuestionType.RELATION);
                read.put("relation_stated", accuracy);
                read.put("relation_stated_questions", stated);
                out.printf(Locale.ROOT, "  relation, where the captions state the answer: %.3f / %.3f / %d%n", accuracy,
                        reading.stated().majorityAccuracy(QuestionType.RELATION), stated);
            }
            AtomicFiles.writeString(folder.resolve("config.json"), Configs.toJson(record));
            long bytes = 0;
            for (String file : LanguageModelCache.FILES) {
                bytes += Files.size(folder.resolve(file));
            }
            out.printf(Locale.ROOT, "wrote %s (%.2f MB in %d files)%n", folder, bytes / 1e6, LanguageModelCache.FILES.size());
            return 0;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot write " + folder + ": " + e.getMessage(), e);
        }
    }
}
