package org.qformerlab.blip2.bridge;

import ai.djl.ndarray.NDArray;
import org.qformerlab.blip2.nn.Dense;
import org.qformerlab.blip2.nn.KeyValue;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.Norm;
import org.qformerlab.blip2.qformer.FeedForward;
import org.qformerlab.blip2.qformer.MultiHeadAttention;

/**
 * One layer of Flamingo's Perceiver Resampler, pre-LN, as {@code PerceiverAttention} and
 * {@code FeedForward} in open_flamingo:
 *
 * <pre>
 *   x = norm_media(image), l = norm_latents(latents)
 *   latents = latents + to_out(attend(queries from l, keys and values from [x ; l]))
 *   latents = latents + ff_out(ff(ff_norm(latents)))
 * </pre>
 *
 * The latents read the image and themselves in one attention: keys and values come from the
 * concatenation, so each latent also sees what the others hold. The attention is the Q-Former's
 * {@link MultiHeadAttention}, so its projections carry biases (open_flamingo's do not).
 *
 * <p>The weights start at the scale of PyTorch's {@code nn.Linear}, which open_flamingo keeps:
 * normal with the variance of uniform(±1/sqrt(in)), std = 1/sqrt(3 in), not BERT's 0.02. At 0.02
 * the attention scores start near zero, every latent reads the mean patch (nearly the same for
 * every image), and the image's share of the residual stream is too small to survive the first
 * steps, in which the latents learn a prompt that suits every caption; see
 * {@link PerceiverResampler}.
 */
final class PerceiverLayer extends Module {

    private final Norm normMedia;
    private final Norm normLatents;
    private final MultiHeadAttention attention;
    private final Dense toOut;
    private final Norm ffNorm;
    private final FeedForward ff;
    private final Dense ffOut;

    PerceiverLayer(int width, int intermediate, int heads, double eps) {
        this.normMedia = module("norm_media", new Norm(width, eps));
        this.normLatents = module("norm_latents", new Norm(width, eps));
        double std = torchLinearStd(width);
        this.attention = module("attention", new MultiHeadAttention(width, width, heads, 0.0, std));
        this.toOut = module("to_out", new Dense(width, width, true, std));
        this.ffNorm = module("ff_norm", new Norm(width, eps));
        this.ff = module("ff", new FeedForward(width, intermediate, std));
        this.ffOut = module("ff_out", new Dense(intermediate, width, true, torchLinearStd(intermediate)));
    }

    /** The standard deviation of PyTorch's default {@code nn.Linear} weights: uniform(±1/sqrt(in)). */
    static double torchLinearStd(int in) {
        return 1 / Math.sqrt(3.0 * in);
    }

    /**
     * @param image image features at the latents' width [B, P, H]
     * @param latents [B, N, H]
     * @return the updated latents [B, N, H]
     */
    NDArray forward(NDArray image, NDArray latents, boolean training) {
        NDArray l = normLatents.forward(latents);
        KeyValue kv = attention.keysValues(normMedia.forward(image).concat(l, 1));
        NDArray attended = latents.add(toOut.forward(attention.attend(l, kv, null, training)));
        return attended.add(ffOut.forward(ff.forward(ffNorm.forward(attended))));
    }
}
