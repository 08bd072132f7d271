package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDManager;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.Split;

/**
 * The frozen image side of the embedded default in one call: the first arrow of
 * {@code data -> (frozen encoder | feature cache) -> bridge -> objectives -> trainer}.
 *
 * <pre>{@code
 * try (FeatureCache images = EmbeddedVision.features(VisionConfig.embedded(), VisionPretrainConfig.embedded(),
 *         world, cacheRoot, manager, System.out)) {
 *     QFormerConfig q = VisionConfig.embedded().fit(QFormerConfig.embedded()); // visionWidth = encoder width
 *     NDArray feats = images.get(stepScope, sampleIds);                        // [B, P+1, D], frozen
 * }
 * }</pre>
 *
 * <ol>
 *   <li>{@link EncoderCache}: load the ViT pretrained for (vision config, pretraining config, world
 *       config) from {@code <cacheRoot>/vision/}, or pretrain it on the training images alone
 *       ({@link MaskedAutoencoder}, no captions) and store it;
 *   <li>{@link FeatureCache}: load the encoder's features of every image of every split from
 *       {@code <cacheRoot>/features/}, or compute them once (no gradients) and store them.
 * </ol>
 *
 * The encoder is frozen and released once the features exist; what comes back is the lookup, which
 * the caller closes.
 */
public final class EmbeddedVision {

    /** Images per encoder pass while the feature cache is built. */
    public static final int EXTRACTION_BATCH = 64;

    private EmbeddedVision() {}

    /**
     * Pretrains-or-loads the encoder, then builds-or-loads the features of all splits.
     *
     * @param manager the features live in a sub-manager of it (on its device); close the result to free them
     * @param log progress lines, or null
     * @throws ConfigException if the world's images are not the size the encoder reads
     */
    public static FeatureCache features(VisionConfig vision, VisionPretrainConfig pretraining, ShapesDataset data,
                                        Path cacheRoot, NDManager manager, PrintStream log) {
        checkImageSize(vision, data);
        try (NDManager encoderScope = manager.newSubManager()) {
            VisionTransformer encoder =
                    EncoderCache.pretrainOrLoad(vision, pretraining, data, cacheRoot, encoderScope, log).encoder();
            return FeatureCache.buildOrLoad(encoder, allSamples(data), datasetIdentity(data), cacheRoot, manager,
                    EXTRACTION_BATCH, log);
        }
    }

    /** The pretrained, frozen encoder itself (pretrained now or loaded), in a sub-manager of {@code manager}. */
    public static VisionTransformer encoder(VisionConfig vision, VisionPretrainConfig pretraining, ShapesDataset data,
                                            Path cacheRoot, NDManager manager, PrintStream log) {
        checkImageSize(vision, data);
        return EncoderCache.pretrainOrLoad(vision, pretraining, data, cacheRoot, manager, log).encoder();
    }

    /** Every sample of the world: train, val, test, compositional. */
    public static List<Sample> allSamples(ShapesDataset data) {
        List<Sample> all = new ArrayList<>(data.size());
        for (Split split : Split.values()) {
            all.addAll(data.split(split));
        }
        return all;
    }

    /** What names a shapes world's images: its config (equal configs give identical worlds). */
    public static String datasetIdentity(ShapesDataset data) {
        return "shapes-world " + Configs.toJson(data.config()).replaceAll("\\s+", "");
    }

    private static void checkImageSize(VisionConfig vision, ShapesDataset data) {
        int world = data.config().imageSize();
        if (world != vision.imageSize()) {
            throw new ConfigException("the shapes world renders " + world + "x" + world + " images but the image encoder reads "
                    + vision.imageSize() + "x" + vision.imageSize() + ": set VisionConfig.imageSize=" + world
                    + " (withImageSize) or ShapesWorldConfig.imageSize=" + vision.imageSize());
        }
    }
}
