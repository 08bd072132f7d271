package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import org.qformerlab.blip2.cache.CacheEntry;
import org.qformerlab.blip2.cache.CacheKeys;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorldConfig;
import org.qformerlab.blip2.data.Split;

/**
 * The pretrained encoder on disk, so that it is pretrained once per (encoder shape, pretraining
 * recipe, shapes world) and loaded ever after:
 *
 * <pre>
 *   &lt;cacheRoot&gt;/vision/&lt;hash of the three configs&gt;/model.safetensors   weights, {@link VisionTransformer#NAMES}
 *   &lt;cacheRoot&gt;/vision/&lt;hash&gt;/config.json                               the key, plus the pretraining's losses and time
 * </pre>
 *
 * Both files are written atomically, the weights first: {@code config.json} exists only next to a
 * complete model. A cached entry that cannot be used (a truncated or foreign weights file, a
 * {@code config.json} for another key) is reported on the log and <b>rebuilt</b>: the cache holds
 * derived data, so pretraining again is always a correct repair.
 */
public final class EncoderCache {

    /** Bump when the architecture or objective changes in a way the configs do not show. */
    static final String FORMAT = "qformerlab-vision-mae-1";

    private EncoderCache() {}

    /** An encoder from the cache, and whether this call had to pretrain it. */
    public record Entry(VisionTransformer encoder, Path folder, boolean trainedNow) {}

    /** The folder of the entry for these configs. */
    public static Path folder(Path cacheRoot, VisionConfig vision, VisionPretrainConfig pretraining, ShapesWorldConfig world) {
        return entry(cacheRoot, vision, pretraining, world).folder();
    }

    /**
     * Loads the encoder pretrained for these configs, or pretrains it on the world's training images
     * and stores it. The encoder comes back frozen, in a sub-manager of {@code manager}. The entry's
     * lock is held meanwhile (one builder per entry across processes, {@link CacheEntry}).
     */
    public static Entry pretrainOrLoad(VisionConfig vision, VisionPretrainConfig pretraining, ShapesDataset data,
                                       Path cacheRoot, NDManager manager, PrintStream log) {
        CacheEntry entry = entry(cacheRoot, vision, pretraining, data.config());
        Path model = entry.folder().resolve("model.safetensors");
        return entry.loadOrBuild(manager, log,
                (stored, owner) -> new Entry(VisionTransformer.load(vision, model, owner).freeze(), entry.folder(), false),
                () -> pretrain(vision, pretraining, data, entry, manager, log));
    }

    /** Pretrains the encoder for {@code entry} and writes its weights, then its record. */
    private static Entry pretrain(VisionConfig vision, VisionPretrainConfig pretraining, ShapesDataset data,
                                  CacheEntry entry, NDManager manager, PrintStream log) {
        Path folder = entry.folder();
        int images = data.split(Split.TRAIN).size();
        CacheKeys.print(log, "vision: pretraining the image encoder (" + vision.layers() + " blocks, width " + vision.width()
                + ", " + pretraining.steps() + " steps of " + pretraining.batchSize() + ") on the " + images
                + " training images; it will be cached in " + folder);
        PixelBank bank = PixelBank.render(data.split(Split.TRAIN), vision.imageSize());
        VisionPretraining.Result result = VisionPretraining.run(vision, pretraining, bank, manager, log);
        result.encoder().save(folder.resolve("model.safetensors"));
        ObjectNode record = entry.newRecord();
        record.put("encoder", EncoderIdentity.of(result.encoder()));
        record.put("trainingImages", images);
        record.put("seconds", result.seconds());
        record.put("firstLoss", result.firstLoss(10));
        record.put("lastLoss", result.lastLoss(10));
        entry.writeRecord(record);
        return new Entry(result.encoder(), folder, true);
    }

    /** The cache entry of these configs, under {@code <cacheRoot>/vision}. */
    private static CacheEntry entry(Path cacheRoot, VisionConfig vision, VisionPretrainConfig pretraining,
                                    ShapesWorldConfig world) {
        return CacheEntry.of(cacheRoot, "vision", key(vision, pretraining, world), "vision", "image encoder");
    }

    /** Everything the cached weights depend on (progress logging excluded). */
    private static ObjectNode key(VisionConfig vision, VisionPretrainConfig pretraining, ShapesWorldConfig world) {
        ObjectNode key = Configs.JSON.createObjectNode();
        key.put("format", FORMAT);
        key.set("vision", Configs.JSON.valueToTree(vision));
        key.set("pretraining", CacheKeys.recipe(pretraining));
        key.set("world", Configs.JSON.valueToTree(world));
        return key;
    }
}
