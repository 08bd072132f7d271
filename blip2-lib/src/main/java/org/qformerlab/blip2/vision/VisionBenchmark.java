package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.data.BatchSampler;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.SampledBatch;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.data.ShapesWorldConfig;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.nn.Devices;
import org.qformerlab.blip2.nn.Seeds;

/**
 * What the feature cache buys, measured: the cost of pretraining and of feature extraction, and one
 * stage-1 epoch (every training image once, in the batches a {@link BatchSampler} draws) of feature
 * lookups from the {@link FeatureCache} against running the frozen encoder on every batch
 * ({@link EncoderImageFeatures}: render, normalise, encode); and what the features encode, by a
 * {@link FeatureProbe} of the pretrained encoder against the same encoder at initialisation. Prints
 * one JSON object; besides wall-clock seconds it reports the process's CPU seconds of each phase,
 * which on a machine shared with other jobs say more about the cost than the wall clock.
 *
 * <pre>
 *   java -cp ... org.qformerlab.blip2.vision.VisionBenchmark [cacheRoot] [batchSize]
 * </pre>
 */
public final class VisionBenchmark {

    /** Training images the linear probe is fitted on (it is scored on the test split). */
    private static final int PROBE_FIT = 2000;

    private VisionBenchmark() {}

    /** The measurements (seconds, images per second). */
    public record Result(
            String device,
            int width,
            int layers,
            int positions,
            int images,
            boolean pretrainedNow,
            double pretrainSeconds,
            double pretrainCpuSeconds,
            double pretrainFirstLoss,
            double pretrainLastLoss,
            boolean featuresBuiltNow,
            double extractionSeconds,
            double extractionImagesPerSecond,
            double extractionCpuSeconds,
            int epochBatches,
            int batchSize,
            double epochCacheSeconds,
            double epochEncoderSeconds,
            double epochEncoderCpuSeconds,
            double speedup,
            int probeFitImages,
            int probeScoredImages,
            Map<String, Double> probePretrained,
            Map<String, Double> probeRandomInit,
            Map<String, Double> probeMostFrequent) {}

    public static Result run(VisionConfig vision, VisionPretrainConfig pretraining, ShapesWorldConfig world,
                             Path cacheRoot, int batchSize, PrintStream log) {
        ShapesDataset data = ShapesWorld.generate(world);
        try (NDManager manager = NDManager.newBaseManager(Devices.resolve("auto"))) {
            double cpu0 = cpuSeconds();
            EncoderCache.Entry entry = EncoderCache.pretrainOrLoad(vision, pretraining, data, cacheRoot, manager, log);
            double pretrainCpu = entry.trainedNow() ? cpuSeconds() - cpu0 : Double.NaN;
            JsonNode record = readJson(entry.folder().resolve("config.json"));
            List<Sample> all = EmbeddedVision.allSamples(data);
            double cpu1 = cpuSeconds();
            try (FeatureCache cache = FeatureCache.buildOrLoad(entry.encoder(), all, EmbeddedVision.datasetIdentity(data),
                    cacheRoot, manager, EmbeddedVision.EXTRACTION_BATCH, log)) {
                double extractionCpu = cache.builtNow() ? cpuSeconds() - cpu1 : Double.NaN;
                JsonNode manifest = readJson(cache.folder().resolve("manifest.json"));
                List<SampledBatch> epoch = new BatchSampler(data.split(Split.TRAIN), batchSize, 0).epoch(0);
                EncoderImageFeatures encoder = new EncoderImageFeatures(entry.encoder(), all);
                epochSeconds(cache, epoch, manager); // warm-up
                double cached = epochSeconds(cache, epoch, manager);
                double cpu2 = cpuSeconds();
                double encoded = epochSeconds(encoder, epoch, manager);
                double encodedCpu = cpuSeconds() - cpu2;
                // what the features encode: pretrained vs the same architecture at initialisation
                List<Sample> fit = data.split(Split.TRAIN).subList(0, Math.min(PROBE_FIT, data.split(Split.TRAIN).size()));
                List<Sample> scored = data.split(Split.TEST);
                FeatureProbe.Result pretrained = FeatureProbe.run(cache, fit, scored, world.maxObjects(), manager);
                FeatureProbe.Result random;
                try (NDManager randomScope = manager.newSubManager()) {
                    Seeds.set(pretraining.seed());
                    VisionTransformer init = VisionTransformer.create(vision, randomScope).freeze();
                    random = FeatureProbe.run(new EncoderImageFeatures(init, all), fit, scored, world.maxObjects(), manager);
                }
                return new Result(manager.getDevice().toString(), vision.width(), vision.layers(), vision.positions(),
                        all.size(), entry.trainedNow(), record.path("seconds").asDouble(), pretrainCpu,
                        record.path("firstLoss").asDouble(), record.path("lastLoss").asDouble(), cache.builtNow(),
                        manifest.path("seconds").asDouble(), manifest.path("imagesPerSecond").asDouble(), extractionCpu,
                        epoch.size(), batchSize, cached, encoded, encodedCpu, encoded / cached, fit.size(), scored.size(),
                        pretrained.accuracy(), random.accuracy(), pretrained.baseline());
            }
        }
    }

    /** Seconds to fetch the features of every batch of the epoch (each fetch in its own scope). */
    private static double epochSeconds(org.qformerlab.blip2.vision.ImageFeatures features, List<SampledBatch> epoch,
                                       NDManager manager) {
        long t0 = System.nanoTime();
        for (SampledBatch batch : epoch) {
            int[] ids = batch.sampleIds();
            try (NDManager scope = manager.newSubManager()) {
                NDArray f = features.get(scope, ids);
                f.sum().getFloat(); // make sure the values exist (a GPU computes asynchronously)
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * CPU seconds used by this process so far (all threads). On a shared machine wall-clock time
     * depends on the neighbours; CPU time says what the work itself costs.
     */
    private static double cpuSeconds() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() / 1e9 : Double.NaN;
    }

    private static JsonNode readJson(Path file) {
        try {
            return Configs.JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Runs the embedded default (or the cache root and batch size given) and prints JSON. */
    public static void main(String[] args) {
        Path cacheRoot = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir") + "/qformerlab-cache");
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        Result r = run(VisionConfig.embedded(), VisionPretrainConfig.embedded(), ShapesWorldConfig.defaults(), cacheRoot,
                batch, System.err);
        System.out.println(Configs.toJson(r));
    }
}
