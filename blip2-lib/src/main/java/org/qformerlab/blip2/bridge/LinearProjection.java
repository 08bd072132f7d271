package org.qformerlab.blip2.bridge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.qformerlab.blip2.data.TextTensors;
import org.qformerlab.blip2.nn.Dense;
import org.qformerlab.blip2.nn.Norm;

/**
 * LLaVA's bridge: no bottleneck at all. Every patch feature, after a LayerNorm
 * ({@code ln_vision}), is mapped to the LLM's width by one Linear, so the soft prompt has one
 * position per patch (P) and the language model does all the reading. The cheapest bridge in
 * parameters; the most expensive in LLM positions when P is large.
 *
 * <p>With a hidden width W &gt; 0 it is LLaVA-1.5's two-layer MLP instead
 * ({@code mlp2x_gelu}): {@code Linear(Dv, W)} ({@code hidden_projection}), GELU, then the
 * projection {@code Linear(W, Dllm)}. That is how a parameter budget sizes this bridge
 * ({@link ParameterBudget}); LLaVA-1.5 itself has W = Dllm.
 */
public final class LinearProjection extends Bridge {

    private final int numPatches;
    private final Norm lnVision;
    private final Dense hiddenProjection;
    private final Dense projection;

    /**
     * LLaVA's single Linear.
     *
     * @param visionWidth Dv of the image features
     * @param numPatches P, the patches per image: the soft prompt's length
     * @param projectionName the projection's checkpoint name ({@link QFormerBridge#OPT_PROJ})
     */
    public LinearProjection(int visionWidth, int numPatches, double eps, int llmWidth, String projectionName) {
        this(visionWidth, numPatches, 0, eps, llmWidth, projectionName);
    }

    /**
     * @param hiddenWidth W of LLaVA-1.5's hidden layer; 0 = LLaVA's single Linear
     */
    public LinearProjection(int visionWidth, int numPatches, int hiddenWidth, double eps, int llmWidth,
                            String projectionName) {
        if (hiddenWidth < 0) {
            throw new IllegalArgumentException("hiddenWidth=" + hiddenWidth + " must be 0 (one Linear) or positive");
        }
        this.numPatches = numPatches;
        this.lnVision = module("ln_vision", new Norm(visionWidth, eps));
        this.hiddenProjection = hiddenWidth == 0 ? null
                : module("hidden_projection", new Dense(visionWidth, hiddenWidth));
        this.projection = module(projectionName, new Dense(hiddenWidth == 0 ? visionWidth : hiddenWidth, llmWidth));
    }

    @Override
    public VisualPrompt forward(NDManager scope, NDArray imageFeatures, TextTensors instruction, boolean training) {
        int width = hiddenProjection == null ? projection.inFeatures() : hiddenProjection.inFeatures();
        NDArray hidden = lnVision.forward(checkImage(imageFeatures, width, numPatches));
        if (hiddenProjection != null) {
            hidden = hiddenProjection.forward(hidden).getNDArrayInternal().gelu();
        }
        return new VisualPrompt(projection.forward(hidden), hidden);
    }

    /** W, the hidden layer's width; 0 for the single Linear. */
    public int hiddenWidth() {
        return hiddenProjection == null ? 0 : hiddenProjection.outFeatures();
    }

    @Override
    public BridgeType type() {
        return BridgeType.LINEAR;
    }

    @Override
    public int promptLength() {
        return numPatches;
    }

    @Override
    public int outputWidth() {
        return projection.outFeatures();
    }
}
