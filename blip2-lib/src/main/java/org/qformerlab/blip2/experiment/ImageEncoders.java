package org.qformerlab.blip2.experiment;

import ai.djl.ndarray.NDManager;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorldConfig;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.experiment.config.ImageEncoderConfig;
import org.qformerlab.blip2.vision.EmbeddedVision;
import org.qformerlab.blip2.vision.FeatureCache;
import org.qformerlab.blip2.vision.ImageFeatures;
import org.qformerlab.blip2.vision.PatchPixels;
import org.qformerlab.blip2.vision.ShippedEncoder;
import org.qformerlab.blip2.config.ConfigException;

/**
 * From an {@link ImageEncoderConfig} to the frozen features of every image of a world: the one
 * place where an encoder type becomes an implementation of {@link ImageFeatures}. A new encoder
 * is one more case here.
 */
public final class ImageEncoders {

    private ImageEncoders() {}

    /**
     * Features of every sample of every split of {@code world}, looked up by sample id.
     *
     * @param cacheRoot where an encoder may cache its weights and features between runs
     * @param manager the features live in (a sub-manager of) it, on its device
     * @param log progress lines
     */
    public static ImageFeatures features(ImageEncoderConfig config, ShapesDataset world, Path cacheRoot,
            NDManager manager, PrintStream log) {
        return switch (config.type()) {
            case PATCH_PIXELS -> {
                PatchPixels features = PatchPixels.compute(allSamples(world), config.patchSize(), manager);
                log.printf("encoder: pixel patches %dx%d, %d patches of width %d per image (no learned encoder)%n",
                        config.patchSize(), config.patchSize(), features.patches(), features.width());
                yield features;
            }
            case SUPERVISED_VIT -> {
                FeatureCache features = supervised(config, world, cacheRoot, manager, log);
                log.printf("encoder: supervised ViT %d blocks of width %d, features of block %d (%d positions per image)%n",
                        config.vit().layers(), config.vit().width(), config.vit().featureLayer(),
                        config.vit().positions());
                yield features;
            }
            case VIT -> {
                FeatureCache features =
                        EmbeddedVision.features(config.vit(), config.pretraining(), world, cacheRoot, manager, log);
                log.printf("encoder: ViT %d blocks of width %d, features of block %d (%d positions per image)%n",
                        config.vit().layers(), config.vit().width(), config.vit().featureLayer(),
                        config.vit().gridSize() * config.vit().gridSize() + 1);
                yield features;
            }
        };
    }

    /**
     * The shipped (or cached, or newly pretrained) supervised ViT's features of every image; the
     * encoder itself is released once they exist.
     */
    private static FeatureCache supervised(ImageEncoderConfig config, ShapesDataset world, Path cacheRoot,
                                           NDManager manager, PrintStream log) {
        if (world.config().imageSize() != config.vit().imageSize()) {
            throw new ConfigException("the shapes world renders " + world.config().imageSize() + "x"
                    + world.config().imageSize() + " images but the image encoder reads " + config.vit().imageSize()
                    + ": set data.imageSize=" + config.vit().imageSize() + " or encoder.vit.imageSize");
        }
        if (!ShippedEncoder.disjointByConstruction(config.supervised(), world.config())) {
            // a world larger than the pool's (e.g. the preset's 2,800-image evaluation splits): check by image
            ShapesWorldConfig d = config.supervised().disjointFrom();
            String drawn = "the encoder's pretraining pool was drawn disjoint from the world of seed " + d.seed() + " ("
                    + d.trainCount() + "/" + d.valCount() + "/" + d.testCount() + "/" + d.compositionalCount()
                    + " images, no evaluation description)";
            try {
                ShippedEncoder.pool(config.supervised()).requireNoImageOf(world);
                log.println("encoder: " + drawn + "; this world is larger: the pool holds none of its images"
                        + " (checked), though kinds of scene recur, as a pretrained encoder's do in a benchmark");
            } catch (IllegalStateException e) {
                log.println("encoder: note: " + drawn + "; " + e.getMessage());
            }
        }
        try (NDManager encoderScope = manager.newSubManager()) {
            ShippedEncoder.Entry entry = ShippedEncoder.load(config.vit(), config.supervised(), cacheRoot, encoderScope, log);
            log.println("encoder: image encoder from the " + entry.source() + " (" + entry.record().path("made").asText()
                    + ")");
            return FeatureCache.buildOrLoad(entry.encoder(), allSamples(world), EmbeddedVision.datasetIdentity(world),
                    cacheRoot, manager, EmbeddedVision.EXTRACTION_BATCH, log);
        }
    }

    private static List<Sample> allSamples(ShapesDataset world) {
        List<Sample> all = new ArrayList<>(world.size());
        for (Split split : Split.values()) {
            all.addAll(world.split(split));
        }
        return all;
    }
}
