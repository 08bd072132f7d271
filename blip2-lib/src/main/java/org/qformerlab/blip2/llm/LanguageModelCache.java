package org.qformerlab.blip2.llm;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.qformerlab.blip2.cache.CacheEntry;
import org.qformerlab.blip2.cache.CacheKeys;
import org.qformerlab.blip2.checkpoint.AtomicFiles;
import org.qformerlab.blip2.checkpoint.CheckpointException;
import org.qformerlab.blip2.checkpoint.NameMap;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.data.LanguageCorpus;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorldConfig;
import org.qformerlab.blip2.data.WordTokenizer;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.train.RunFolder;

/**
 * The embedded default's frozen language model on disk: pretrained once per (LM shape and recipe,
 * shapes world) on text alone ({@link LanguageCorpus}), and loaded ever after.
 *
 * <pre>
 *   &lt;cacheRoot&gt;/language/&lt;hash of the key&gt;/model.safetensors  weights, Hugging Face OPT names
 *   &lt;cacheRoot&gt;/language/&lt;hash&gt;/tokenizer.json                 its word vocabulary
 *   &lt;cacheRoot&gt;/language/&lt;hash&gt;/config.json                    the key, the losses, the time, its reading
 * </pre>
 *
 * Where to get it, in order: the cache entry; else the LM shipped with the library (the three
 * files under {@link #SHIPPED} on the class path, made by {@code qformerlab pretrain language}),
 * copied into the cache when its key is this key; else pretraining now. The key holds the LM's
 * recipe and the parts of the world its text depends on (seed, most objects, held-out fraction,
 * the sizes of the evaluation splits whose scenes the text avoids), not the image size or the
 * training split's size, so the shipped LM serves every world that differs only there.
 * {@code config.json} is written last, atomically: it exists only beside a complete entry; an
 * entry that cannot be used is reported and rebuilt.
 */
public final class LanguageModelCache {

    /** Bump when the architecture, the text or the objective changes in a way the configs do not show. */
    static final String FORMAT = "qformerlab-language-opt-3";
    /** The same for the T5 family (its prefix-LM pretraining, {@link LanguagePretraining#prefixLoss}). */
    static final String FORMAT_T5 = "qformerlab-language-t5-2"; // 2: position biases at 10x, T5 init, 16-token decoder
    /** The class-path folder of the shipped language model. */
    public static final String SHIPPED = "/org/qformerlab/blip2/llm/embedded/";
    /** The files of an entry; {@code config.json} last, since it marks the entry complete. */
    public static final List<String> FILES = List.of("model.safetensors", "tokenizer.json", "config.json");
    /** Words of text per word of the pretraining stream's windows: each text is seen about twice. */
    private static final int PASSES = 2;
    private static final long MIN_TOKENS = 20_000;
    private static final long MAX_TOKENS = 4_000_000;

    private LanguageModelCache() {}

    /**
     * The frozen LM ({@link OptModel} or {@link T5Model}, as {@code stage2.language.family}), its
     * tokenizer, where it is stored, and whether this call pretrained it.
     */
    public record Entry(Module language, WordTokenizer tokenizer, Path folder, boolean trainedNow, JsonNode record) {

        /** The frozen OPT; an error naming the fix when the entry holds a T5. */
        public OptModel model() {
            return opt(language);
        }

        /** The frozen T5; an error when the entry holds an OPT. */
        public T5Model t5() {
            if (language instanceof T5Model t5) {
                return t5;
            }
            throw new IllegalStateException("this language model is an OPT, not a T5: set stage2.language.family=T5");
        }

        /** Its family. */
        public LanguageFamily family() {
            return language instanceof T5Model ? LanguageFamily.T5 : LanguageFamily.OPT;
        }
    }

    /** {@code language} as an OPT; an error naming the fix when it is a T5. */
    static OptModel opt(Module language) {
        if (language instanceof OptModel opt) {
            return opt;
        }
        throw new IllegalStateException("this language model is a T5 (stage2.language.family=T5), and this step"
                + " reads an OPT: use the family's own path, or set stage2.language.family=OPT");
    }

    /** The Hugging Face parameter names of the family's weights file. */
    public static NameMap names(LanguageFamily family) {
        return family == LanguageFamily.T5 ? T5Model.HUGGING_FACE_NAMES : OptModel.HUGGING_FACE_NAMES;
    }

    /** Where shipped entry files are read from: the class path, or (tests, the CLI) a folder. */
    @FunctionalInterface
    public interface Shipped {
        /** The named file, or null when there is none. */
        InputStream open(String file) throws IOException;

        /** The files under {@link #SHIPPED} on the class path. */
        static Shipped classpath() {
            return file -> LanguageModelCache.class.getResourceAsStream(SHIPPED + file);
        }

        /** The files in {@code folder}. */
        static Shipped folder(Path folder) {
            return file -> Files.isRegularFile(folder.resolve(file)) ? Files.newInputStream(folder.resolve(file)) : null;
        }

        /** Nothing is shipped. */
        static Shipped none() {
            return file -> null;
        }
    }

    /** The language model's training documents for this recipe and world ({@link LanguageCorpus}). */
    public static List<List<String>> documents(LanguagePretrainConfig config, ShapesDataset data) {
        long tokens = (long) config.steps() * config.batchSize() * config.maxPositions() / PASSES;
        return LanguageCorpus.documents(data, Math.max(MIN_TOKENS, Math.min(MAX_TOKENS, tokens)), config.seed());
    }

    /** The folder of the entry for these configs. */
    public static Path folder(Path cacheRoot, LanguagePretrainConfig config, ShapesWorldConfig world) {
        return entry(cacheRoot, config, world).folder();
    }

    /** The cache entry of these configs, under {@code <cacheRoot>/language}. */
    private static CacheEntry entry(Path cacheRoot, LanguagePretrainConfig config, ShapesWorldConfig world) {
        return CacheEntry.of(cacheRoot, "language", key(config, world), "language", "language model");
    }

    /** {@link #pretrainOrLoad(LanguagePretrainConfig, ShapesDataset, Path, Shipped, NDManager, PrintStream)} with the LM shipped on the class path. */
    public static Entry pretrainOrLoad(LanguagePretrainConfig config, ShapesDataset data, Path cacheRoot,
                                       NDManager manager, PrintStream log) {
        return pretrainOrLoad(config, data, cacheRoot, Shipped.classpath(), manager, log);
    }

    /**
     * Loads the LM pretrained for these configs (from the cache, or the shipped one copied into
     * the cache), or pretrains it on its text and stores it. The model comes back frozen, in (a
     * sub-manager of) {@code manager}. The entry's lock is held meanwhile, so two processes never
     * build the same entry at once ({@link CacheEntry}).
     */
    public static Entry pretrainOrLoad(LanguagePretrainConfig config, ShapesDataset data, Path cacheRoot,
                                       Shipped shipped, NDManager manager, PrintStream log) {
        CacheEntry entry = entry(cacheRoot, config, data.config());
        return entry.loadOrBuild(manager, log, loader(config, entry.folder()), () -> {
            if (copyShipped(shipped, entry, log)) {
                Entry copied = entry.load(manager, log, loader(config, entry.folder()));
                if (copied != null) {
                    return copied;
                }
            }
            return pretrain(config, data, entry.folder(), manager, log);
        });
    }

    /** Pretrains the LM for these configs now and writes its entry into {@code folder}. */
    public static Entry pretrain(LanguagePretrainConfig config, ShapesDataset data, Path folder, NDManager manager,
                                 PrintStream log) {
        return pretrain(config, data, folder, RunFolder.temporary(), manager, log);
    }

    /**
     * {@link #pretrain(LanguagePretrainConfig, ShapesDataset, Path, NDManager, PrintStream)} keeping the
     * training's checkpoints and metrics log in {@code run} (and continuing from them when it resumes).
     */
    public static Entry pretrain(LanguagePretrainConfig config, ShapesDataset data, Path folder, RunFolder run,
                                 NDManager manager, PrintStream log) {
        List<List<String>> documents = documents(config, data);
        List<String> texts = new ArrayList<>();
        documents.forEach(texts::addAll);
        WordTokenizer tokenizer = WordTokenizer.fromTexts(texts); // the corpus speaks every word of the world
        CacheKeys.print(log, "language: pretraining " + (config.family() == LanguageFamily.T5 ? "a T5" : "an OPT")
                + " (" + config.numLayers() + " layers, hidden " + config.hiddenSize()
                + ", vocabulary " + tokenizer.vocabSize() + ", " + config.steps() + " steps of " + config.batchSize()
                + " windows of " + config.maxPositions() + " tokens) on " + documents.size()
                + " documents of text alone; it will be cached in " + folder);
        LanguagePretraining.Result result = LanguagePretraining.run(config, tokenizer, documents, run, manager, log);
        try {
            Files.createDirectories(folder);
            tokenizer.save(folder.resolve("tokenizer.json"));
        } catch (IOException e) {
            throw new CheckpointException("cannot write the language model's cache entry " + folder + ": "
                    + e.getMessage(), e);
        }
        Weights.save(result.language(), folder.resolve("model.safetensors"), names(config.family()));
        ObjectNode out = Configs.JSON.createObjectNode();
        out.set("key", key(config, data.config()));
        out.put("vocabSize", tokenizer.vocabSize());
        out.put("trainingDocuments", documents.size());
        out.put("seconds", result.seconds());
        out.put("firstLoss", result.firstLoss(20));
        out.put("lastLoss", result.lastLoss(20));
        AtomicFiles.writeString(folder.resolve("config.json"), Configs.toJson(out));
        CacheKeys.print(log, String.format(Locale.ROOT,
                "language: pretrained in %.1f s, next-token loss %.3f -> %.3f (uniform: ln %d = %.3f)",
                result.seconds(), result.firstLoss(20), result.lastLoss(20), tokenizer.vocabSize(),
                Math.log(tokenizer.vocabSize())));
        return new Entry(result.language(), tokenizer, folder, true, out);
    }

    /** Reads the entry in {@code folder}: its tokenizer, then the family's model with its weights. */
    private static CacheEntry.Loader<Entry> loader(LanguagePretrainConfig config, Path folder) {
        return (stored, owner) -> {
            WordTokenizer tokenizer = WordTokenizer.load(folder.resolve("tokenizer.json"));
            Module lm = config.family() == LanguageFamily.T5
                    ? T5Model.create(config.t5(tokenizer.vocabSize(), WordTokenizer.PAD_ID, WordTokenizer.EOS_ID), owner)
                    : OptModel.create(config.opt(tokenizer.vocabSize(), WordTokenizer.PAD_ID, WordTokenizer.EOS_ID), owner);
            Weights.load(lm, folder.resolve("model.safetensors"), names(config.family()), Weights.Policy.strict());
            return new Entry(lm, tokenizer, folder, false, stored);
        };
    }

    /**
     * Copies the shipped entry into the entry's folder when there is one and it was made for exactly
     * the entry's key; whether it did.
     */
    private static boolean copyShipped(Shipped shipped, CacheEntry entry, PrintStream log) {
        Path folder = entry.folder();
        try (InputStream record = shipped.open("config.json")) {
            if (record == null) {
                return false;
            }
            JsonNode stored = Configs.JSON.readTree(record);
            if (!entry.describes(stored)) {
                CacheKeys.print(log, "language: the shipped language model was made for another recipe or world;"
                        + " pretraining one for this config");
                return false;
            }
            Files.createDirectories(folder);
            Files.deleteIfExists(folder.resolve("config.json"));
            for (String file : FILES) {
                try (InputStream in = shipped.open(file)) {
                    if (in == null) {
                        CacheKeys.print(log, "language: the shipped language model lacks " + file + "; pretraining");
                        return false;
                    }
                    Path part = folder.resolve(file + ".part");
                    Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(part, folder.resolve(file), StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                }
            }
            CacheKeys.print(log, "language: copied the shipped pretrained language model into " + folder);
            return true;
        } catch (IOException e) {
            CacheKeys.print(log, "language: cannot read the shipped language model (" + e.getMessage() + "); pretraining");
            return false;
        }
    }

    /**
     * Everything the cached weights depend on (progress logging excluded); see the class comment.
     * An OPT's key names no family (its format says it), so entries made before the family field
     * existed, the shipped one included, still match.
     */
    static ObjectNode key(LanguagePretrainConfig config, ShapesWorldConfig world) {
        ObjectNode key = Configs.JSON.createObjectNode();
        key.put("format", config.family() == LanguageFamily.T5 ? FORMAT_T5 : FORMAT);
        ObjectNode recipe = CacheKeys.recipe(config);
        recipe.remove("family");
        key.set("language", recipe);
        ObjectNode text = key.putObject("world");
        text.put("seed", world.seed());
        text.put("maxObjects", world.maxObjects());
        text.put("heldOutFraction", world.heldOutFraction());
        text.put("valCount", world.valCount());
        text.put("testCount", world.testCount());
        text.put("compositionalCount", world.compositionalCount());
        return key;
    }
}
