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
 */
public final class LinearProjection extends Bridge {

    private final int numPatches;
    private final Norm lnVision;
    private final Dense projection;

    /**
     * @param visionWidth Dv of the image features
     * @param numPatches P, the patches per image: the soft prompt's length
     * @param projectionName the projection's checkpoint name ({@link QFormerBridge#OPT_PROJ})
     */
    public LinearProjection(int visionWidth, int numPatches, double eps, int llmWidth, String projectionName) {
        this.numPatches = numPatches;
        this.lnVision = module("ln_vision", new Norm(visionWidth, eps));
        this.projection = module(projectionName, new Dense(visionWidth, llmWidth));
    }

    @Override
    public VisualPrompt forward(NDManager scope, NDArray imageFeatures, TextTensors instruction, boolean training) {
        NDArray hidden = lnVision.forward(checkImage(imageFeatures, projection.inFeatures(), numPatches));
        return new VisualPrompt(projection.forward(hidden), hidden);
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
