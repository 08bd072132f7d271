package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.cache.CacheKeys;
import org.qformerlab.blip2.cache.CacheLock;
import org.qformerlab.blip2.checkpoint.AtomicFiles;
import org.qformerlab.blip2.checkpoint.CheckpointException;
import org.qformerlab.blip2.checkpoint.Safetensors;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.data.ImageTensors;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.nn.GradMode;

/**
 * The frozen encoder's features of every image of a dataset, computed once and read every step
 * (BLIP-2 stage 1 then runs the Q-Former only). Because the encoder never changes, its output for
 * an image is a constant: computing it again every epoch would repeat the most expensive part of a
 * step for nothing.
 *
 * <p>On disk, keyed by (dataset identity, encoder identity = its config and weights):
 *
 * <pre>
 *   &lt;cacheRoot&gt;/features/&lt;hash&gt;/shard-00000.safetensors   features [n, P+1, D] float32, ids [n] int32
 *   &lt;cacheRoot&gt;/features/&lt;hash&gt;/manifest.json             the key, the shards, the shape; written last
 * </pre>
 *
 * Building runs the encoder without gradients, one NDManager scope per batch; every file is written
 * atomically. In memory all features sit in one array [N, P+1, D] on the manager's device;
 * {@link #get} gathers rows by {@link Sample#id()} into the caller's scope. A cache that cannot be
 * used (a missing, truncated or foreign shard, a manifest for other data) is reported on the log and
 * <b>rebuilt</b>.
 */
public final class FeatureCache implements ImageFeatures, AutoCloseable {

    /** Images per shard file (about 25 MB at the embedded default's 65 x 192 features). */
    public static final int SHARD_IMAGES = 512;
    static final String FORMAT = "qformerlab-features-1";

    private final NDManager owner;
    private final NDArray features;
    private final Map<Integer, Integer> rowOf;
    private final Path folder;
    private final boolean builtNow;
    private final double buildSeconds;

    private FeatureCache(NDManager owner, NDArray features, Map<Integer, Integer> rowOf, Path folder,
                         boolean builtNow, double buildSeconds) {
        this.owner = owner;
        this.features = features;
        this.rowOf = rowOf;
        this.folder = folder;
        this.builtNow = builtNow;
        this.buildSeconds = buildSeconds;
    }

    /** The folder that holds the features of this (dataset, encoder) pair. */
    public static Path folder(Path cacheRoot, String datasetIdentity, VisionTransformer encoder) {
        return cacheRoot.resolve("features").resolve(CacheKeys.hash(Configs.toJson(key(datasetIdentity, encoder))));
    }

    /**
     * Loads the cached features of {@code samples} under {@code encoder}, or computes and stores them.
     *
     * @param datasetIdentity a string that changes whenever the images could (for the shapes world:
     *     its config); with the sample ids it names the data
     * @param manager the cache's arrays live in a sub-manager of it, freed by {@link #close()}
     * @param batchSize images per encoder pass while building
     */
    public static FeatureCache buildOrLoad(VisionTransformer encoder, List<Sample> samples, String datasetIdentity,
                                           Path cacheRoot, NDManager manager, int batchSize, PrintStream log) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples to compute image features for");
        }
        ObjectNode key = key(datasetIdentity, encoder);
        Path folder = folder(cacheRoot, datasetIdentity, encoder);
        return CacheLock.around(folder, log, () -> loadOrBuild(encoder, samples, key, folder, manager, batchSize, log));
    }

    /** {@link #buildOrLoad} once the entry's lock is held (one builder per entry across processes). */
    private static FeatureCache loadOrBuild(VisionTransformer encoder, List<Sample> samples, ObjectNode key, Path folder,
                                            NDManager manager, int batchSize, PrintStream log) {
        if (Files.exists(folder.resolve("manifest.json"))) {
            NDManager owner = manager.newSubManager();
            try {
                FeatureCache cache = load(folder, key, samples, encoder.config(), owner);
                print(log, "vision: loaded the image features of " + samples.size() + " images from " + folder);
                return cache;
            } catch (IOException | CheckpointException | IllegalStateException e) {
                owner.close();
                print(log, "vision: the cached image features in " + folder + " cannot be used (" + e.getMessage()
                        + "); computing them again");
            }
        }
        return build(encoder, samples, key, folder, manager.newSubManager(), batchSize, log);
    }

    private static FeatureCache build(VisionTransformer encoder, List<Sample> samples, ObjectNode key, Path folder,
                                      NDManager owner, int batchSize, PrintStream log) {
        VisionConfig c = encoder.config();
        int n = samples.size();
        print(log, "vision: computing the frozen encoder's features of " + n + " images into " + folder);
        long t0 = System.nanoTime();
        NDArray all = owner.zeros(new Shape(n, c.positions(), c.width()), DataType.FLOAT32);
        ArrayNode shards = Configs.JSON.createArrayNode();
        for (int start = 0; start < n; start += SHARD_IMAGES) {
            int end = Math.min(n, start + SHARD_IMAGES);
            try (NDManager shardScope = owner.newSubManager()) {
                for (int b = start; b < end; b += batchSize) {
                    int e = Math.min(end, b + batchSize);
                    try (GradMode ignored = GradMode.off(); NDManager scope = owner.newSubManager()) {
                        NDArray pixels = pixels(scope, samples.subList(b, e));
                        all.set(new NDIndex(b + ":" + e), encoder.features(pixels));
                    }
                }
                String file = String.format("shard-%05d.safetensors", start / SHARD_IMAGES);
                NDArray shard = all.get(shardScope, new NDIndex(start + ":" + end));
                NDArray ids = shardScope.create(ids(samples.subList(start, end)));
                Map<String, NDArray> tensors = new LinkedHashMap<>();
                tensors.put("features", shard);
                tensors.put("ids", ids);
                Safetensors.write(folder.resolve(file), tensors);
                ObjectNode s = shards.addObject();
                s.put("file", file);
                s.put("count", end - start);
            }
            double soFar = (System.nanoTime() - t0) / 1e9;
            print(log, String.format(java.util.Locale.ROOT, "vision features %d/%d images | %.0f images/s", end, n,
                    end / soFar));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        ObjectNode manifest = Configs.JSON.createObjectNode();
        manifest.set("key", key);
        manifest.put("count", n);
        manifest.put("positions", c.positions());
        manifest.put("width", c.width());
        manifest.set("shards", shards);
        manifest.put("seconds", seconds);
        manifest.put("imagesPerSecond", n / seconds);
        AtomicFiles.writeString(folder.resolve("manifest.json"), Configs.toJson(manifest));
        print(log, String.format("vision: %d images encoded in %.1f s (%.0f images/s)", n, seconds, n / seconds));
        return new FeatureCache(owner, all, rows(samples), folder, true, seconds);
    }

    private static FeatureCache load(Path folder, ObjectNode key, List<Sample> samples, VisionConfig c, NDManager owner)
            throws IOException {
        JsonNode manifest = Configs.JSON.readTree(folder.resolve("manifest.json").toFile());
        if (!manifest.has("key") || !Configs.toJson(key).equals(Configs.toJson(manifest.get("key")))) {
            throw new IllegalStateException("its manifest describes other data or another encoder");
        }
        int n = samples.size();
        if (manifest.path("count").asInt() != n) {
            throw new IllegalStateException("it holds " + manifest.path("count").asInt() + " images, not " + n);
        }
        NDArray all = owner.zeros(new Shape(n, c.positions(), c.width()), DataType.FLOAT32);
        int start = 0;
        for (JsonNode s : manifest.path("shards")) {
            Path file = folder.resolve(s.path("file").asText());
            try (NDManager scratch = owner.newSubManager()) {
                Map<String, NDArray> t = Safetensors.read(scratch, file);
                NDArray shard = t.get("features");
                NDArray ids = t.get("ids");
                int count = s.path("count").asInt();
                Shape expected = new Shape(count, c.positions(), c.width());
                if (shard == null || ids == null || !shard.getShape().equals(expected) || start + count > n) {
                    throw new IllegalStateException(file.getFileName() + " does not hold features " + expected + " and their ids");
                }
                if (!Arrays.equals(ids.toIntArray(), ids(samples.subList(start, start + count)))) {
                    throw new IllegalStateException(file.getFileName() + " holds other sample ids");
                }
                all.set(new NDIndex(start + ":" + (start + count)), shard.toDevice(all.getDevice(), false));
                start += count;
            }
        }
        if (start != n) {
            throw new IllegalStateException("its shards hold " + start + " images, not " + n);
        }
        return new FeatureCache(owner, all, rows(samples), folder, false, 0);
    }

    /** Features [n, P+1, D] of the given samples, in order, created in {@code scope}. */
    @Override
    public NDArray get(NDManager scope, int[] sampleIds) {
        long[] rows = new long[sampleIds.length];
        for (int i = 0; i < sampleIds.length; i++) {
            Integer row = rowOf.get(sampleIds[i]);
            if (row == null) {
                throw new IllegalArgumentException("sample id " + sampleIds[i] + " is not in the image feature cache "
                        + folder + " (" + rowOf.size() + " images): the cache was built for another dataset;"
                        + " build it for the samples you train on (EmbeddedVision.features)");
            }
            rows[i] = row;
        }
        return features.get(scope, new NDIndex("{}", scope.create(rows)));
    }

    @Override
    public int width() {
        return (int) features.getShape().get(2);
    }

    /** Tokens per image (P+1). */
    public int positions() {
        return (int) features.getShape().get(1);
    }

    /** Number of images held. */
    public int size() {
        return rowOf.size();
    }

    public Path folder() {
        return folder;
    }

    /** Whether this instance computed the features (false: read from disk). */
    public boolean builtNow() {
        return builtNow;
    }

    /** Seconds spent computing the features (0 when they were read from disk). */
    public double buildSeconds() {
        return buildSeconds;
    }

    @Override
    public void close() {
        owner.close();
    }

    /** Normalised pixels [n, 3, size, size] of the samples' images, in {@code scope}. */
    static NDArray pixels(NDManager scope, List<Sample> samples) {
        List<BufferedImage> images = new ArrayList<>(samples.size());
        for (Sample s : samples) {
            images.add(s.image());
        }
        BufferedImage first = images.get(0);
        return scope.create(ImageTensors.pixels(images), new Shape(images.size(), 3, first.getHeight(), first.getWidth()));
    }

    private static ObjectNode key(String datasetIdentity, VisionTransformer encoder) {
        ObjectNode key = Configs.JSON.createObjectNode();
        key.put("format", FORMAT);
        key.put("dataset", datasetIdentity);
        key.put("encoder", EncoderIdentity.of(encoder));
        key.set("vision", Configs.JSON.valueToTree(encoder.config()));
        return key;
    }

    private static int[] ids(List<Sample> samples) {
        return samples.stream().mapToInt(Sample::id).toArray();
    }

    private static Map<Integer, Integer> rows(List<Sample> samples) {
        Map<Integer, Integer> rows = new HashMap<>();
        for (int i = 0; i < samples.size(); i++) {
            if (rows.put(samples.get(i).id(), i) != null) {
                throw new IllegalArgumentException("sample id " + samples.get(i).id() + " appears twice");
            }
        }
        return rows;
    }

    private static void print(PrintStream log, String line) {
        if (log != null) {
            log.println(line);
        }
    }
}
