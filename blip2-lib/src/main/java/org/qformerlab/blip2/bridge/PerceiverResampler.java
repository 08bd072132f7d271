package org.qformerlab.blip2.bridge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.NormalInitializer;
import java.util.ArrayList;
import java.util.List;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.data.TextTensors;
import org.qformerlab.blip2.nn.Dense;
import org.qformerlab.blip2.nn.Norm;

/**
 * Flamingo's Perceiver Resampler as a bridge: N learned {@code latents} read the normalised image
 * ({@code ln_vision}, then {@code input_projection} to the latents' width) through L
 * {@link PerceiverLayer}s (cross-attention to [image ; latents], then a feed-forward, pre-LN), a
 * final LayerNorm ({@code norm}) closes the stack, and one Linear maps each latent to the LLM's
 * width: a soft prompt of N tokens, whatever the number of patches.
 *
 * <p>Flamingo's latents live at the vision width. Here they live at the width H of the Q-Former
 * they are compared with ({@code qformer.hiddenSize}), so one Linear ({@code input_projection})
 * first brings the image features from Dv to H; the bridges then differ in structure, not in
 * size. Unlike the Q-Former the resampler has no text side and no stage 1: it learns in stage 2
 * alone.
 *
 * <h2>Why it has an {@code ln_vision}, and its layers PyTorch's initial scale</h2>
 *
 * As first written (no {@code ln_vision}, BERT's normal(0, 0.02) everywhere) the resampler never
 * read the image: trained from scratch it gave every image the same soft prompt. Measured on the
 * tiny world (pixel-patch features, H 32, 2 layers, 4 latents, AdamW at 1e-3, batches of 8), as
 * the root-mean-square over 8 images of each prompt's difference from their mean prompt:
 * <pre>
 *   step                                    0        25       100      150
 *   as first written                     0.0049   0.00022  0.00016  0.00014   (falls: image ignored)
 *   + PyTorch-scale layer weights        0.0075   0.00086  0.00063
 *   + ln_vision on the raw features      0.0075   0.00147  0.00094
 *   + both (now)                         0.0175   0.00353  0.00347  0.00686   (rises: image read)
 *   attentional pooling, for comparison  0.0116   0.00310  0.01911  0.04479
 *   Q-Former from scratch                0.0049   0.00183  0.00489  0.02650
 * </pre>
 * Two causes, each needed. (1) Normalisation: the patch features share a large component (the
 * background, the position one-hot's constant share); a Linear first and a LayerNorm after
 * ({@code norm_media}) keeps that component, so every patch of every image looks alike, where a
 * LayerNorm over the raw features first ({@code ln_vision}, as the Q-Former and the linear bridge
 * have) removes each patch's mean. (2) Initial scales: at 0.02 the attention scores start near zero,
 * so each latent reads the mean patch; every bridge first learns a prompt that suits all captions,
 * and the perceiver's latents, which sit in the residual stream, grow while its small image term
 * is normalised away by the final LayerNorm. open_flamingo's layers keep PyTorch's
 * {@code nn.Linear} scale ({@link PerceiverLayer}), and so do these now. Open_flamingo's latents
 * start at normal(0, 1); that changed nothing measurable here (0.0075 at step 150), so they stay at
 * 0.02.
 */
public final class PerceiverResampler extends Bridge {

    private final int width;
    private final int numLatents;
    private final Norm lnVision;
    private final Dense inputProjection;
    private final Parameter latents;
    private final List<PerceiverLayer> layers = new ArrayList<>();
    private final Norm norm;
    private final Dense projection;

    /**
     * The resampler's shape, by name: {@link #of} reads it off a Q-Former config, and each field has a wither.
     *
     * @param visionWidth Dv of the image features
     * @param width H, the latents' width
     * @param intermediate the feed-forward width
     * @param numLatents N, the soft prompt's length
     * @param numLayers L, the resampler's layers
     * @param heads attention heads; must divide H
     * @param layerNormEps epsilon of every LayerNorm
     * @param llmWidth the language model's width, the projection's output
     * @param projectionName the checkpoint name of the projection to the LLM ({@link QFormerBridge#OPT_PROJ})
     */
    public record Config(int visionWidth, int width, int intermediate, int numLatents, int numLayers, int heads,
            double layerNormEps, int llmWidth, String projectionName) {

        public Config {
            String c = "PerceiverResampler.Config: ";
            ConfigException.require(visionWidth > 0 && width > 0 && intermediate > 0 && llmWidth > 0,
                    c + "visionWidth, width, intermediate and llmWidth must be positive");
            ConfigException.require(numLatents > 0, c + "numLatents=" + numLatents + " must be at least 1");
            ConfigException.require(numLayers > 0, c + "numLayers=" + numLayers + " must be at least 1");
            ConfigException.require(heads > 0 && width % heads == 0,
                    c + "heads=" + heads + " must divide width=" + width);
            ConfigException.require(projectionName != null && !projectionName.isBlank(),
                    c + "projectionName is missing (e.g. " + QFormerBridge.OPT_PROJ + ")");
        }

        /** Latents as wide as the Q-Former, fed the same image features, with its feed-forward width and LayerNorm. */
        public static Config of(QFormerConfig qformer, int numLatents, int numLayers, int heads, int llmWidth,
                String projectionName) {
            return new Config(qformer.visionWidth(), qformer.hiddenSize(), qformer.intermediateSize(), numLatents,
                    numLayers, heads, qformer.layerNormEps(), llmWidth, projectionName);
        }

        public Config withVisionWidth(int v) {
            return new Config(v, width, intermediate, numLatents, numLayers, heads, layerNormEps, llmWidth, projectionName);
        }

        public Config withWidth(int v) {
            return new Config(visionWidth, v, intermediate, numLatents, numLayers, heads, layerNormEps, llmWidth,
                    projectionName);
        }

        public Config withIntermediate(int v) {
            return new Config(visionWidth, width, v, numLatents, numLayers, heads, layerNormEps, llmWidth, projectionName);
        }

        public Config withNumLatents(int v) {
            return new Config(visionWidth, width, intermediate, v, numLayers, heads, layerNormEps, llmWidth, projectionName);
        }

        public Config withNumLayers(int v) {
            return new Config(visionWidth, width, intermediate, numLatents, v, heads, layerNormEps, llmWidth,
                    projectionName);
        }

        public Config withHeads(int v) {
            return new Config(visionWidth, width, intermediate, numLatents, numLayers, v, layerNormEps, llmWidth,
                    projectionName);
        }

        public Config withLayerNormEps(double v) {
            return new Config(visionWidth, width, intermediate, numLatents, numLayers, heads, v, llmWidth, projectionName);
        }

        public Config withLlmWidth(int v) {
            return new Config(visionWidth, width, intermediate, numLatents, numLayers, heads, layerNormEps, v,
                    projectionName);
        }

        public Config withProjectionName(String v) {
            return new Config(visionWidth, width, intermediate, numLatents, numLayers, heads, layerNormEps, llmWidth, v);
        }
    }

    public PerceiverResampler(Config c) {
        int visionWidth = c.visionWidth();
        int width = c.width();
        int intermediate = c.intermediate();
        int numLatents = c.numLatents();
        int heads = c.heads();
        double eps = c.layerNormEps();
        int numLayers = c.numLayers();
        this.width = width;
        this.numLatents = numLatents;
        this.lnVision = module("ln_vision", new Norm(visionWidth, eps));
        this.inputProjection = module("input_projection", new Dense(visionWidth, width));
        this.latents = parameter("latents", new Shape(1, numLatents, width), new NormalInitializer(0.02f));
        for (int i = 0; i < numLayers; i++) {
            layers.add(module("layers." + i, new PerceiverLayer(width, intermediate, heads, eps)));
        }
        this.norm = module("norm", new Norm(width, eps));
        this.projection = module(c.projectionName(), new Dense(width, c.llmWidth()));
    }

    @Override
    public VisualPrompt forward(NDManager scope, NDArray imageFeatures, TextTensors instruction, boolean training) {
        NDArray image = inputProjection.forward(
                lnVision.forward(checkImage(imageFeatures, inputProjection.inFeatures(), -1)));
        NDArray l = value(latents).broadcast(new Shape(imageFeatures.getShape().get(0), numLatents, width));
        l.attach(scope);
        for (PerceiverLayer layer : layers) {
            l = layer.forward(image, l, training);
        }
        NDArray hidden = norm.forward(l);
        return new VisualPrompt(projection.forward(hidden), hidden);
    }

    @Override
    public BridgeType type() {
        return BridgeType.PERCEIVER;
    }

    @Override
    public int promptLength() {
        return numLatents;
    }

    @Override
    public int outputWidth() {
        return projection.outFeatures();
    }
}
