package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import org.qformerlab.blip2.cache.CacheEntry;
import org.qformerlab.blip2.cache.CacheKeys;
import org.qformerlab.blip2.checkpoint.AtomicFiles;
import org.qformerlab.blip2.checkpoint.CheckpointException;
import org.qformerlab.blip2.checkpoint.Safetensors;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.data.ImagePool;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.data.ShapesWorldConfig;
import org.qformerlab.blip2.train.RunFolder;

/**
 * The embedded default's frozen image encoder as a file: pretrained once, on images alone, by
 * {@link AttributePretraining} ({@code ./qformerlab pretrain vision}), and committed to the repository
 * as two files read from the classpath,
 *
 * <pre>
 *   blip2-lib/src/main/resources/org/qformerlab/blip2/vision/shapes-vit/model.safetensors  weights, {@link VisionTransformer#NAMES}
 *   blip2-lib/src/main/resources/org/qformerlab/blip2/vision/shapes-vit/config.json        the key, the pretraining's record
 * </pre>
 *
 * so that a fresh clone never pays for its pretraining. {@link #load} looks in three places, in
 * order: the user cache ({@code <cacheRoot>/vision/<hash of the key>/}, as {@link EncoderCache}
 * lays it out); the shipped files, when their key is the one asked for (they are then copied into
 * the cache); and, when neither holds a usable encoder (another shape or recipe, a missing or damaged
 * file), pretraining it again into the cache, which takes minutes. A file is usable when it loads and
 * its weights hash to the identity its {@code config.json} records.
 */
public final class ShippedEncoder {

    /** The shipped files' folder on the classpath. */
    public static final String RESOURCE = "org/qformerlab/blip2/vision/shapes-vit/";

    /** Where {@code pretrain vision} writes the shipped files in a checkout (from the repository root). */
    public static final Path SOURCE_FOLDER = Path.of("blip2-lib/src/main/resources").resolve(RESOURCE);

    /** Bump when the architecture or objective changes in a way the configs do not show. */
    static final String FORMAT = "qformerlab-vision-attributes-1";

    private ShippedEncoder() {}

    /** A frozen encoder, where it came from ({@code cache}, {@code shipped} or {@code pretrained}), and its record. */
    public record Entry(VisionTransformer encoder, String source, JsonNode record) {}

    /** Everything the weights depend on (progress logging excluded). */
    public static ObjectNode key(VisionConfig vision, AttributePretrainConfig recipe) {
        ObjectNode key = Configs.JSON.createObjectNode();
        key.put("format", FORMAT);
        key.set("vision", Configs.JSON.valueToTree(vision));
        key.set("pretraining", CacheKeys.recipe(recipe));
        return key;
    }

    /** The cache folder of the encoder for these configs. */
    public static Path cacheFolder(Path cacheRoot, VisionConfig vision, AttributePretrainConfig recipe) {
        return entry(cacheRoot, vision, recipe).folder();
    }

    /** The cache entry of the encoder for these configs, under {@code <cacheRoot>/vision}. */
    private static CacheEntry entry(Path cacheRoot, VisionConfig vision, AttributePretrainConfig recipe) {
        return CacheEntry.of(cacheRoot, "vision", key(vision, recipe), "vision", "image encoder");
    }

    /**
     * The pool the recipe pretrains on: {@code poolSize} scenes of seed {@code poolSeed}, drawn
     * disjoint from the recipe's world, and checked to be.
     */
    public static ImagePool pool(AttributePretrainConfig recipe) {
        ShapesDataset world = ShapesWorld.generate(recipe.disjointFrom());
        return ImagePool.draw(recipe.poolSeed(), recipe.poolSize(), recipe.disjointFrom().maxObjects(), world)
                .requireDisjointFrom(world);
    }

    /**
     * Pretrains the encoder and writes {@code model.safetensors} and then {@code config.json} into
     * {@code folder} (each atomically).
     *
     * @param made how it was made, recorded in {@code config.json} (e.g. the command line)
     */
    public static Entry pretrain(VisionConfig vision, AttributePretrainConfig recipe, Path folder, String made,
                                 NDManager manager, PrintStream log) {
        return pretrain(vision, recipe, folder, made, RunFolder.temporary(), manager, log);
    }

    /**
     * {@link #pretrain(VisionConfig, AttributePretrainConfig, Path, String, NDManager, PrintStream)}
     * keeping the training's checkpoints and metrics log in {@code run} (and continuing from them
     * when it resumes).
     */
    public static Entry pretrain(VisionConfig vision, AttributePretrainConfig recipe, Path folder, String made,
                                 RunFolder run, NDManager manager, PrintStream log) {
        CacheKeys.print(log, "vision: drawing " + recipe.poolSize() + " pretraining scenes (seed " + recipe.poolSeed()
                + "), disjoint from the images of the world of seed " + recipe.disjointFrom().seed());
        ImagePool pool = pool(recipe);
        CacheKeys.print(log, String.format(Locale.ROOT, "vision: pretraining the image encoder (%d blocks, width %d,"
                + " %d steps of %d) with attribute heads on the pool's images; it goes to %s",
                vision.layers(), vision.width(), recipe.steps(), recipe.batchSize(), folder));
        AttributePretraining.Result result = AttributePretraining.run(vision, recipe, pool, run, manager, log);
        result.encoder().save(folder.resolve("model.safetensors"));
        ObjectNode record = Configs.JSON.createObjectNode();
        record.set("key", key(vision, recipe));
        record.put("encoder", EncoderIdentity.of(result.encoder()));
        record.put("made", made);
        record.put("poolScenes", pool.size());
        record.put("seconds", result.seconds());
        record.put("firstLoss", result.firstLoss(20));
        record.put("lastLoss", result.lastLoss(20));
        record.set("lastTerms", Configs.JSON.valueToTree(result.lastTerms()));
        AtomicFiles.writeString(folder.resolve("config.json"), Configs.toJson(record));
        CacheKeys.print(log, String.format(Locale.ROOT, "vision: pretrained in %.1f s, loss %.3f -> %.3f",
                result.seconds(), result.firstLoss(20), result.lastLoss(20)));
        return new Entry(result.encoder(), "pretrained", record);
    }

    /**
     * The frozen encoder for these configs from the cache, the shipped files or a new pretraining
     * (see the class comment), in a sub-manager of {@code manager}.
     * The entry's lock is held meanwhile, so two processes never remake it at once ({@link CacheEntry}).
     */
    public static Entry load(VisionConfig vision, AttributePretrainConfig recipe, Path cacheRoot, NDManager manager,
                             PrintStream log) {
        CacheEntry entry = entry(cacheRoot, vision, recipe);
        Path folder = entry.folder();
        return entry.loadOrBuild(manager, log, reader(vision, folder, "cache"), () -> {
            JsonNode shipped = shippedRecord();
            if (entry.describes(shipped)) {
                try (InputStream weights = resource("model.safetensors")) {
                    if (weights != null) {
                        AtomicFiles.write(folder.resolve("model.safetensors"), weights::transferTo);
                        AtomicFiles.writeString(folder.resolve("config.json"), Configs.toJson(shipped));
                        Entry copied = entry.load(manager, log, reader(vision, folder, "shipped"));
                        if (copied != null) {
                            return copied;
                        }
                    }
                } catch (IOException | CheckpointException e) {
                    CacheKeys.print(log, "vision: the shipped image encoder cannot be used (" + e.getMessage() + ")");
                }
            } else {
                CacheKeys.print(log, "vision: no shipped image encoder for this shape and recipe"
                        + (shipped == null ? " (the shipped files are missing)" : ""));
            }
            CacheKeys.print(log, "vision: remaking the image encoder (`./qformerlab pretrain vision` makes the shipped one)");
            return pretrain(vision, recipe, folder, "remade at run time: the shipped encoder did not fit", manager, log);
        });
    }

    /**
     * The record of the shipped encoder ({@code config.json} on the classpath), or null when absent.
     *
     * @throws CheckpointException if it is there but not JSON
     */
    public static JsonNode shippedRecord() {
        try (InputStream in = resource("config.json")) {
            return in == null ? null : Configs.JSON.readTree(in);
        } catch (IOException e) {
            throw new CheckpointException("the shipped image encoder's config.json (classpath " + RESOURCE
                    + ") is not readable JSON: " + e.getMessage() + "; remake it with ./qformerlab pretrain vision", e);
        }
    }

    /**
     * Whether the pretraining pool is disjoint from {@code world} by construction: the world draws its
     * splits from the recipe's seed and object limit, no larger than the recipe's world (each split of
     * a smaller world is a prefix of the larger one's).
     */
    public static boolean disjointByConstruction(AttributePretrainConfig recipe, ShapesWorldConfig world) {
        ShapesWorldConfig d = recipe.disjointFrom();
        return world.seed() == d.seed() && world.maxObjects() == d.maxObjects()
                && world.heldOutFraction() == d.heldOutFraction() && world.captionsPerImage() == d.captionsPerImage()
                && world.trainCount() <= d.trainCount() && world.valCount() <= d.valCount()
                && world.testCount() <= d.testCount() && world.compositionalCount() <= d.compositionalCount();
    }

    /** Reads the encoder in {@code folder} and checks that its weights hash to the identity its record holds. */
    private static CacheEntry.Loader<Entry> reader(VisionConfig vision, Path folder, String source) {
        return (stored, owner) -> {
            VisionTransformer encoder = VisionTransformer.load(vision, folder.resolve("model.safetensors"), owner).freeze();
            String identity = EncoderIdentity.of(encoder);
            if (!identity.equals(stored.path("encoder").asText())) {
                throw new CheckpointException("its weights hash to " + identity + " but its config.json records "
                        + stored.path("encoder").asText() + ": the file is damaged");
            }
            return new Entry(encoder, source, stored);
        };
    }

    private static InputStream resource(String name) {
        return ShippedEncoder.class.getClassLoader().getResourceAsStream(RESOURCE + name);
    }
}
