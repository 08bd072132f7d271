package org.qformerlab.bench;

import static org.qformerlab.bench.Stage1Flops.feedForward;
import static org.qformerlab.bench.Stage1Flops.linear;
import static org.qformerlab.bench.Stage1Flops.selfAttention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.nn.Precision;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.vision.EncoderImageFeatures;
import org.qformerlab.blip2.vision.FeatureCache;
import org.qformerlab.blip2.vision.ImageFeatures;
import org.qformerlab.blip2.vision.VisionConfig;
import org.qformerlab.blip2.vision.VisionTransformer;

/**
 * What BLIP-2's frozen image encoder costs per batch, and what its {@link FeatureCache} saves:
 *
 * <ul>
 *   <li>encoder: image -> normalised pixels -> ViT forward ({@link EncoderImageFeatures}, what a
 *       pipeline without the cache runs every step); the standard fields (ms per batch, images/s,
 *       FLOPs of the ViT forward, GFLOP/s);
 *   <li>cache: the same images' features written once to safetensors shards in a temporary folder
 *       ({@code cache_build_images_per_s}, encoder included), opened again from disk
 *       ({@code cache_open_ms}: manifest, shards, the encoder's identity hash), and looked up per
 *       batch as training does ({@code cache_lookup_ms}); {@code speedup} = encoder ms per batch /
 *       lookup ms per batch.
 * </ul>
 *
 * The ViT comes from the sizes ({@link BenchConfig#vision}); its weights are random and the images
 * are noise, which costs the encoder the same as photographs. {@code max_abs_diff} compares the
 * cached features of one batch with the encoder's (0 up to float rounding). The temporary folder is
 * deleted afterwards.
 */
public final class FeaturesBenchmark implements Benchmark {

    @Override
    public String name() {
        return "features";
    }

    @Override
    public String summary() {
        return "frozen ViT feature extraction (images/s) vs reading the same features from a FeatureCache";
    }

    @Override
    public List<Measurement> run(BenchConfig config, BenchEnvironment env) throws Exception {
        if (env.precision() != Precision.FLOAT32) {
            throw new IllegalArgumentException("feature extraction is benchmarked in float32 only so far: use --dtype float32");
        }
        VisionConfig vc = config.vision();
        int batch = config.batch();
        int batches = config.warmup() + config.steps();
        List<Sample> samples = noiseImages(batch * batches, vc.imageSize());
        Path folder = Files.createTempDirectory("qformerlab-bench-features");
        Timings encoded;
        Timings opened = new Timings();
        Timings looked;
        double buildSeconds;
        double maxDiff;
        long bytes;
        try (NDManager root = NDManager.newBaseManager(env.device())) {
            Seeds.set(1234);
            VisionTransformer encoder = VisionTransformer.create(vc, root).freeze();
            EncoderImageFeatures direct = new EncoderImageFeatures(encoder, samples);
            encoded = epoch(config, env, direct, root);
            String identity = "bench-noise:" + samples.size() + "x" + vc.imageSize();
            try (FeatureCache built = FeatureCache.buildOrLoad(encoder, samples, identity, folder, root, batch, null)) {
                buildSeconds = built.buildSeconds();
            }
            bytes = sizeOf(folder);
            int opens = Math.max(2, Math.min(4, config.steps() + 1)); // the first is a warm-up
            for (int i = 0; i < opens; i++) {
                long t0 = System.nanoTime();
                FeatureCache reopened = FeatureCache.buildOrLoad(encoder, samples, identity, folder, root, batch, null);
                long t = System.nanoTime() - t0;
                reopened.close();
                if (i > 0) {
                    opened.add(t);
                }
            }
            try (FeatureCache cache = FeatureCache.buildOrLoad(encoder, samples, identity, folder, root, batch, null)) {
                if (cache.builtNow()) {
                    throw new IllegalStateException("the feature cache in " + folder + " was rebuilt instead of read");
                }
                looked = epoch(config, env, cache, root);
                try (NDManager scope = root.newSubManager()) {
                    int[] ids = idsOf(0, batch);
                    maxDiff = cache.get(scope, ids).sub(direct.get(scope, ids)).abs().max().getFloat();
                }
            }
        } finally {
            delete(folder);
        }
        int n = samples.size();
        double openSeconds = opened.medianMs() / 1000;
        Measurement m = new Measurement(name(), config)
                .timed(encoded, batch, vitForward(vc, batch), env)
                .put("vision", describe(vc))
                .put("encoder_images_per_s", Measurement.round(batch / (encoded.medianMs() / 1000)))
                .put("cache_images", n)
                .put("cache_mb", Measurement.round(bytes / (1024.0 * 1024.0)))
                .put("cache_build_images_per_s", Measurement.round(n / buildSeconds))
                .put("cache_open_ms", Measurement.round(opened.medianMs()))
                .put("cache_open_images_per_s", Measurement.round(n / openSeconds))
                .put("cache_lookup_ms", Measurement.round(looked.medianMs()))
                .put("cache_images_per_s", Measurement.round(batch / (looked.medianMs() / 1000)))
                .put("speedup", Measurement.round(encoded.medianMs() / looked.medianMs()))
                .put("max_abs_diff", maxDiff)
                .environment(env);
        return List.of(m);
    }

    /** One pass over the batches (warm-up, then timed), each fetched in its own scope and read. */
    private static Timings epoch(BenchConfig config, BenchEnvironment env, ImageFeatures features, NDManager root)
            throws Exception {
        int[] next = {0};
        return StepLoop.run(config, env, new PhaseClock(), () -> {
            try (NDManager scope = root.newSubManager()) {
                int[] ids = idsOf(next[0]++ * config.batch(), config.batch());
                features.get(scope, ids).sum().getFloat(); // the values exist before the clock stops
            }
        });
    }

    private static int[] idsOf(int first, int count) {
        int[] ids = new int[count];
        for (int i = 0; i < count; i++) {
            ids[i] = first + i;
        }
        return ids;
    }

    /**
     * Matmul FLOPs of the ViT forward for {@code images} images: the patch embedding (a linear map
     * of each patch's pixels) and the blocks that produce the features, self-attention and MLP over
     * all P+1 tokens.
     */
    static double vitForward(VisionConfig c, long images) {
        double tokens = images * (double) c.positions();
        double blocks = c.blocksForFeatures() * (selfAttention(tokens, c.positions(), c.width())
                + feedForward(tokens, c.width(), c.intermediateSize()));
        return linear(images * (double) c.numPatches(), c.patchValues(), c.width()) + blocks;
    }

    /** Deterministic noise images, one per id 0..n-1, rendered on demand like the shapes world's. */
    static List<Sample> noiseImages(int n, int size) {
        List<Sample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int id = i;
            out.add(new Sample(id, () -> {
                BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
                SplittableRandom r = new SplittableRandom(id);
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        image.setRGB(x, y, r.nextInt(1 << 24));
                    }
                }
                return image;
            }, List.of("noise"), List.of(), null));
        }
        return out;
    }

    private static Map<String, Object> describe(VisionConfig c) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("image_size", c.imageSize());
        d.put("patch_size", c.patchSize());
        d.put("positions", c.positions());
        d.put("width", c.width());
        d.put("layers", c.layers());
        d.put("blocks_run", c.blocksForFeatures());
        d.put("heads", c.heads());
        d.put("mlp", c.intermediateSize());
        return d;
    }

    private static long sizeOf(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void delete(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
