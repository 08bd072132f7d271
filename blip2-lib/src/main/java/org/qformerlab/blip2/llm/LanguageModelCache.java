package org.qformerlab.blip2.llm;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.qformerlab.blip2.checkpoint.AtomicFiles;
import org.qformerlab.blip2.checkpoint.CheckpointException;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.data.QA;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorldConfig;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.data.WordTokenizer;
import org.qformerlab.blip2.vision.CacheKeys;

/**
 * The embedded default's frozen language model on disk: pretrained once per (LM shape and recipe,
 * shapes world) on the text of the training split alone, and loaded ever after.
 *
 * <pre>
 *   &lt;cacheRoot&gt;/language/&lt;hash of the two configs&gt;/model.safetensors  weights, Hugging Face OPT names
 *   &lt;cacheRoot&gt;/language/&lt;hash&gt;/tokenizer.json                         its word vocabulary
 *   &lt;cacheRoot&gt;/language/&lt;hash&gt;/config.json                            the key, the losses and the time
 * </pre>
 *
 * The text is every caption of the training images and every QA pair written as
 * {@code "Question: q Answer: a"} ({@link QA#promptWithAnswer()}), packed image by image (see
 * {@link LanguagePretraining}), so the model knows the language of the captions and the shape of the
 * VQA prompt, but has never seen an image. {@code config.json}
 * is written last, atomically: it exists only beside a complete entry; an entry that cannot be used
 * is reported and rebuilt.
 */
public final class LanguageModelCache {

    /** Bump when the architecture, the text or the objective changes in a way the configs do not show. */
    static final String FORMAT = "qformerlab-language-opt-2";

    private LanguageModelCache() {}

    /** The frozen LM, its tokenizer, where it is stored, and whether this call pretrained it. */
    public record Entry(OptModel model, WordTokenizer tokenizer, Path folder, boolean trainedNow, JsonNode record) {}

    /** The language model's training text: captions and "Question: q Answer: a" strings of the samples. */
    public static List<String> texts(List<Sample> samples) {
        return groups(samples).stream().flatMap(List::stream).toList();
    }

    /** The same text, one group per sample (image): what {@link LanguagePretraining} packs together. */
    public static List<List<String>> groups(List<Sample> samples) {
        List<List<String>> groups = new ArrayList<>();
        for (Sample s : samples) {
            List<String> texts = new ArrayList<>(s.captions());
            for (QA qa : s.qas()) {
                texts.add(qa.promptWithAnswer());
            }
            groups.add(texts);
        }
        return groups;
    }

    /** The folder of the entry for these configs. */
    public static Path folder(Path cacheRoot, LanguagePretrainConfig config, ShapesWorldConfig world) {
        return cacheRoot.resolve("language").resolve(CacheKeys.hash(Configs.toJson(key(config, world))));
    }

    /**
     * Loads the LM pretrained for these configs, or pretrains it on the world's training text and
     * stores it. The model comes back frozen, in (a sub-manager of) {@code manager}.
     */
    public static Entry pretrainOrLoad(LanguagePretrainConfig config, ShapesDataset data, Path cacheRoot,
                                       NDManager manager, PrintStream log) {
        ObjectNode key = key(config, data.config());
        Path folder = folder(cacheRoot, config, data.config());
        Path model = folder.resolve("model.safetensors");
        Path tokenizerFile = folder.resolve("tokenizer.json");
        Path record = folder.resolve("config.json");
        Entry cached = CacheKeys.loadIfValid(folder, key, manager, "language", "language model", log, (stored, owner) -> {
            WordTokenizer tokenizer = WordTokenizer.load(tokenizerFile);
            OptModel lm = OptModel.create(config.opt(tokenizer.vocabSize(), WordTokenizer.PAD_ID, WordTokenizer.EOS_ID), owner);
            Weights.load(lm, model, OptModel.HUGGING_FACE_NAMES, Weights.Policy.strict());
            return new Entry(lm, tokenizer, folder, false, stored);
        });
        if (cached != null) {
            return cached;
        }
        List<String> texts = texts(data.split(Split.TRAIN));
        WordTokenizer tokenizer = WordTokenizer.fromTexts(texts);
        CacheKeys.print(log, "language: pretraining an OPT (" + config.numLayers() + " layers, hidden " + config.hiddenSize()
                + ", vocabulary " + tokenizer.vocabSize() + ", " + config.steps() + " steps of " + config.batchSize()
                + " windows of " + config.maxPositions() + " tokens) on the " + texts.size()
                + " training texts alone; it will be cached in " + folder);
        LanguagePretraining.Result result =
                LanguagePretraining.run(config, tokenizer, groups(data.split(Split.TRAIN)), manager, log);
        try {
            Files.createDirectories(folder);
            tokenizer.save(tokenizerFile);
        } catch (IOException e) {
            throw new CheckpointException("cannot write the language model's cache entry " + folder + ": "
                    + e.getMessage(), e);
        }
        Weights.save(result.model(), model, OptModel.HUGGING_FACE_NAMES);
        ObjectNode out = Configs.JSON.createObjectNode();
        out.set("key", key);
        out.put("vocabSize", tokenizer.vocabSize());
        out.put("trainingTexts", texts.size());
        out.put("seconds", result.seconds());
        out.put("firstLoss", result.firstLoss(20));
        out.put("lastLoss", result.lastLoss(20));
        AtomicFiles.writeString(record, Configs.toJson(out));
        CacheKeys.print(log, String.format(java.util.Locale.ROOT,
                "language: pretrained in %.1f s, next-token loss %.3f -> %.3f (uniform: ln %d = %.3f)",
                result.seconds(), result.firstLoss(20), result.lastLoss(20), tokenizer.vocabSize(),
                Math.log(tokenizer.vocabSize())));
        return new Entry(result.model(), tokenizer, folder, true, out);
    }

    /** Everything the cached weights depend on (progress logging excluded). */
    private static ObjectNode key(LanguagePretrainConfig config, ShapesWorldConfig world) {
        ObjectNode key = Configs.JSON.createObjectNode();
        key.put("format", FORMAT);
        key.set("language", CacheKeys.recipe(config));
        key.set("world", Configs.JSON.valueToTree(world));
        return key;
    }
}
