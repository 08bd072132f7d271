package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.TruncatedNormalInitializer;

/**
 * The ViT's input tokens (Hugging Face {@code Blip2VisionEmbeddings}): a learned class token
 * ({@code class_embedding} [1, 1, D]) in front of the patch tokens ({@code patch_embedding}), plus a
 * learned position embedding per token ({@code position_embedding} [1, P+1, D]; row 0 is the class
 * token's). The two halves are separate methods so that masked-image modelling can drop patches
 * after their positions are added.
 */
public final class VisionEmbeddings extends org.qformerlab.blip2.nn.Module {

    private final VisionConfig config;
    private final Parameter classEmbedding;
    private final PatchEmbedding patchEmbedding;
    private final Parameter positionEmbedding;

    public VisionEmbeddings(VisionConfig c) {
        this.config = c;
        this.classEmbedding = parameter("class_embedding", new Shape(1, 1, c.width()), new TruncatedNormalInitializer(0.02f));
        this.patchEmbedding = module("patch_embedding", new PatchEmbedding(c.channels(), c.patchSize(), c.width()));
        this.positionEmbedding =
                parameter("position_embedding", new Shape(1, c.positions(), c.width()), new TruncatedNormalInitializer(0.02f));
    }

    /** Every token: [class ; patches] + positions, [B, P+1, D]. */
    public NDArray forward(NDArray pixels) {
        return withClassToken(patchTokens(pixels));
    }

    /** Patch tokens with their position embeddings added: [B, P, D] (no class token). */
    public NDArray patchTokens(NDArray pixels) {
        NDArray tokens = patchEmbedding.forward(pixels);
        return tokens.add(inScope(value(positionEmbedding).get(new NDIndex(":, 1:, :")), tokens));
    }

    /** Prepends the class token (with its position embedding) to patch tokens [B, n, D]. */
    public NDArray withClassToken(NDArray patchTokens) {
        long batch = patchTokens.getShape().get(0);
        NDArray cls = inScope(value(positionEmbedding).get(new NDIndex(":, 0:1, :")), patchTokens).add(value(classEmbedding));
        return cls.broadcast(new Shape(batch, 1, config.width())).concat(patchTokens, 1);
    }

    /**
     * An array computed from parameters alone belongs to the model's manager (DJL gives a result to
     * its first operand's manager); moved to the step's scope, it is freed with the step.
     */
    private static NDArray inScope(NDArray fromParameters, NDArray stepArray) {
        fromParameters.attach(stepArray.getManager());
        return fromParameters;
    }

    /** The patch embedding (its weight is the linear map over flattened patches). */
    public PatchEmbedding patchEmbedding() {
        return patchEmbedding;
    }
}
