package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.Norm;

/**
 * One pre-LN transformer block of the ViT (Hugging Face {@code Blip2EncoderLayer}):
 *
 * <pre>
 *   x = x + self_attn(layer_norm1(x))
 *   x = x + mlp(layer_norm2(x))
 * </pre>
 *
 * (BERT and the Q-Former normalise after the residual sum instead: post-LN.)
 */
public final class VisionEncoderLayer extends Module {

    private final Norm layerNorm1;
    private final VisionAttention selfAttn;
    private final Norm layerNorm2;
    private final VisionMlp mlp;

    public VisionEncoderLayer(int width, int heads, int intermediate, double eps) {
        this.selfAttn = module("self_attn", new VisionAttention(width, heads));
        this.layerNorm1 = module("layer_norm1", new Norm(width, eps));
        this.mlp = module("mlp", new VisionMlp(width, intermediate));
        this.layerNorm2 = module("layer_norm2", new Norm(width, eps));
    }

    /** x [B, S, D] -> [B, S, D]. */
    public NDArray forward(NDArray x) {
        NDArray h = x.add(selfAttn.forward(layerNorm1.forward(x)));
        return h.add(mlp.forward(layerNorm2.forward(h)));
    }
}
