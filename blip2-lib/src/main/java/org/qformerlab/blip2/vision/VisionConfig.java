package org.qformerlab.blip2.vision;

import static org.qformerlab.blip2.config.ConfigException.require;

import org.qformerlab.blip2.config.QFormerConfig;

/**
 * The shape of the frozen image encoder: a Vision Transformer (Dosovitskiy et al.) as Hugging Face's
 * {@code Blip2VisionConfig} describes it. An image of {@code imageSize x imageSize} is cut into
 * {@code (imageSize / patchSize)^2} patches; with the class token that makes {@link #positions()}
 * tokens of width {@code width}.
 *
 * @param imageSize side of the square input image in pixels (224 for EVA ViT-g)
 * @param patchSize side of one square patch (14 for EVA ViT-g); must divide imageSize
 * @param channels colour channels of the input (3: R, G, B)
 * @param width hidden size D of every token (1408 for ViT-g); the Q-Former's {@code visionWidth}
 * @param layers number of transformer blocks (39 in BLIP-2's ViT-g, whose 40th block is dropped)
 * @param heads attention heads per block; must divide width
 * @param intermediateSize width of each block's MLP (6144 for ViT-g)
 * @param layerNormEps epsilon of every LayerNorm (1e-6 for ViT-g, 1e-5 is PyTorch's default)
 * @param featureLayer which block's output are "the features": -1 = the last block followed by
 *     {@code post_layernorm} (Hugging Face's {@code last_hidden_state}); -2 = the second-to-last
 *     block's raw output, as BLIP-2 uses (LAVIS then applies its own trainable {@code ln_vision});
 *     -k = the k-th block from the end; 1..layers = that block (1-based), raw. For the encoder of
 *     a Hugging Face BLIP-2 checkpoint, which already ends at BLIP-2's feature block and stores
 *     {@code ln_vision} as its {@code post_layernorm}, use {@code featureLayer = layers}
 */
public record VisionConfig(
        int imageSize,
        int patchSize,
        int channels,
        int width,
        int layers,
        int heads,
        int intermediateSize,
        double layerNormEps,
        int featureLayer) {

    public VisionConfig {
        String c = "VisionConfig.";
        require(imageSize > 0, c + "imageSize=" + imageSize + " must be positive");
        require(patchSize > 0, c + "patchSize=" + patchSize + " must be positive");
        require(imageSize % patchSize == 0,
                c + "patchSize=" + patchSize + " must divide imageSize=" + imageSize
                        + " (patches tile the image); pick a divisor such as " + largestDivisorUpTo(imageSize, patchSize));
        require(channels > 0, c + "channels=" + channels + " must be positive (3 for RGB)");
        require(width > 0, c + "width=" + width + " must be positive");
        require(heads > 0, c + "heads=" + heads + " must be positive");
        require(width % heads == 0,
                c + "width=" + width + " must be divisible by heads=" + heads
                        + " (each head gets width/heads dimensions); change one of them");
        require(layers > 0, c + "layers=" + layers + " must be at least 1");
        require(intermediateSize > 0, c + "intermediateSize=" + intermediateSize + " must be positive");
        require(layerNormEps > 0, c + "layerNormEps=" + layerNormEps + " must be positive");
        require(featureLayer != 0 && featureLayer >= -layers && featureLayer <= layers,
                c + "featureLayer=" + featureLayer + " must be in -" + layers + "..-1 (from the end) or 1.."
                        + layers + " (a block, 1-based); 0 is not a block. BLIP-2 uses -2");
    }

    /**
     * The embedded default's encoder (the shapes world, 64x64 images): 8x8 patches (64 patches + the
     * class token = 65 positions), width 192, 4 blocks of 3 heads, features from the second-to-last
     * block (so 3 blocks run per image). Sized so that pretraining plus feature extraction of the
     * default world stays within a few minutes on two CPU cores: {@link VisionBenchmark} measured
     * about 165 CPU seconds of pretraining and 22 of extracting the 4900 images' features, on one
     * PyTorch thread.
     */
    public static VisionConfig embedded() {
        return new VisionConfig(64, 8, 3, 192, 4, 3, 768, 1e-6, -2);
    }

    /**
     * The encoder the embedded default ships pretrained ({@link AttributePretraining}): 64x64 images,
     * 8x8 patches (64 patches + the class token), width 128, 3 blocks of 4 heads. Its features are the
     * last block's output after {@code post_layernorm} ({@code featureLayer = -1}), the very tokens its
     * pretraining heads read linearly. (BLIP-2 drops the last block of a CLIP ViT because that block
     * specialised in CLIP's own objective; here the objective is the linear readout of what captions
     * talk about, so the last block is the one to keep.) Width 128 at 65 positions costs the
     * Q-Former's cross-attention fewer key/value FLOPs than the 16 pixel patches of width 784.
     * Pretrained by {@link AttributePretrainConfig#embedded()} (1834 s on one PyTorch thread of a busy
     * two-core machine), a linear probe of its features on the default world's test split reads each
     * object's colour 0.998, size 0.975 and shape 0.993, the occupied cells 0.973 and the object count
     * 0.977 ({@link FeatureProbe}); 2.5 MB of float32 weights.
     */
    public static VisionConfig supervised() {
        return new VisionConfig(64, 8, 3, 128, 3, 4, 512, 1e-6, -1);
    }

    /** A tiny encoder for tests: 32x32 images, 8x8 patches (16 + 1 positions), width 32, 2 blocks. */
    public static VisionConfig tiny() {
        return new VisionConfig(32, 8, 3, 32, 2, 4, 64, 1e-6, -2);
    }

    /** Patches along one side of the image. */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /** Number of patches P. */
    public int numPatches() {
        return gridSize() * gridSize();
    }

    /** Tokens per image: the class token plus P patches. */
    public int positions() {
        return numPatches() + 1;
    }

    /** Values per patch, {@code channels * patchSize^2}: what a pixel-reconstruction head predicts. */
    public int patchValues() {
        return channels * patchSize * patchSize;
    }

    /** How many blocks run to produce the features (1..layers). */
    public int blocksForFeatures() {
        return featureLayer > 0 ? featureLayer : layers + 1 + featureLayer;
    }

    /** Whether the features pass through {@code post_layernorm} (only for featureLayer = -1). */
    public boolean featuresNormalized() {
        return featureLayer == -1;
    }

    /** A Q-Former config whose {@code visionWidth} reads this encoder's features. */
    public QFormerConfig fit(QFormerConfig qformer) {
        return qformer.withVisionWidth(width);
    }

    public VisionConfig withSize(int newWidth, int newLayers, int newHeads, int newIntermediate) {
        return toBuilder().width(newWidth).layers(newLayers).heads(newHeads).intermediateSize(newIntermediate).build();
    }

    private static int largestDivisorUpTo(int n, int limit) {
        for (int d = Math.min(n, Math.max(1, limit)); d > 1; d--) {
            if (n % d == 0) {
                return d;
            }
        }
        return 1;
    }

    /** This config with {@code imageSize} replaced. */
    public VisionConfig withImageSize(int imageSize) {
        return toBuilder().imageSize(imageSize).build();
    }

    /** This config with {@code patchSize} replaced. */
    public VisionConfig withPatchSize(int patchSize) {
        return toBuilder().patchSize(patchSize).build();
    }

    /** This config with {@code channels} replaced. */
    public VisionConfig withChannels(int channels) {
        return toBuilder().channels(channels).build();
    }

    /** This config with {@code width} replaced. */
    public VisionConfig withWidth(int width) {
        return toBuilder().width(width).build();
    }

    /** This config with {@code layers} replaced. */
    public VisionConfig withLayers(int layers) {
        return toBuilder().layers(layers).build();
    }

    /** This config with {@code heads} replaced. */
    public VisionConfig withHeads(int heads) {
        return toBuilder().heads(heads).build();
    }

    /** This config with {@code intermediateSize} replaced. */
    public VisionConfig withIntermediateSize(int intermediateSize) {
        return toBuilder().intermediateSize(intermediateSize).build();
    }

    /** This config with {@code layerNormEps} replaced. */
    public VisionConfig withLayerNormEps(double layerNormEps) {
        return toBuilder().layerNormEps(layerNormEps).build();
    }

    /** This config with {@code featureLayer} replaced. */
    public VisionConfig withFeatureLayer(int featureLayer) {
        return toBuilder().featureLayer(featureLayer).build();
    }

    /** A builder starting from this config: name the fields that change, then {@link Builder#build}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Named construction of a {@link VisionConfig}: starts from a config, every field has a setter, and the
     * record validates once, in {@link #build} (so fields that must agree can change together).
     */
    public static final class Builder {
        private int imageSize;
        private int patchSize;
        private int channels;
        private int width;
        private int layers;
        private int heads;
        private int intermediateSize;
        private double layerNormEps;
        private int featureLayer;

        private Builder(VisionConfig c) {
            this.imageSize = c.imageSize();
            this.patchSize = c.patchSize();
            this.channels = c.channels();
            this.width = c.width();
            this.layers = c.layers();
            this.heads = c.heads();
            this.intermediateSize = c.intermediateSize();
            this.layerNormEps = c.layerNormEps();
            this.featureLayer = c.featureLayer();
        }

        public Builder imageSize(int imageSize) {
            this.imageSize = imageSize;
            return this;
        }

        public Builder patchSize(int patchSize) {
            this.patchSize = patchSize;
            return this;
        }

        public Builder channels(int channels) {
            this.channels = channels;
            return this;
        }

        public Builder width(int width) {
            this.width = width;
            return this;
        }

        public Builder layers(int layers) {
            this.layers = layers;
            return this;
        }

        public Builder heads(int heads) {
            this.heads = heads;
            return this;
        }

        public Builder intermediateSize(int intermediateSize) {
            this.intermediateSize = intermediateSize;
            return this;
        }

        public Builder layerNormEps(double layerNormEps) {
            this.layerNormEps = layerNormEps;
            return this;
        }

        public Builder featureLayer(int featureLayer) {
            this.featureLayer = featureLayer;
            return this;
        }

        public VisionConfig build() {
            return new VisionConfig(imageSize, patchSize, channels, width, layers, heads, intermediateSize, layerNormEps, featureLayer);
        }
    }
}
