package org.qformerlab.blip2.bridge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.NormalInitializer;
import org.qformerlab.blip2.data.TextTensors;
import org.qformerlab.blip2.nn.Dense;
import org.qformerlab.blip2.nn.Norm;
import org.qformerlab.blip2.qformer.MultiHeadAttention;

/**
 * CoCa's attentional pooling ({@code AttentionalPooler} in open_clip) as a bridge: N learned
 * queries ({@code query}, after {@code ln_q}) attend once, with several heads, to the normalised
 * image features ({@code ln_k}); the attention output ({@code out_proj}) is normalised
 * ({@code ln_post}) and one Linear maps it to the LLM's width. A Q-Former reduced to a single
 * cross-attention: no self-attention among the queries, no feed-forward, no depth.
 *
 * <pre>
 *   hidden = ln_post(out_proj(attend(ln_q(query) -> ln_k(image))))      [B, N, H]
 * </pre>
 */
public final class AttentionalPooling extends Bridge {

    private final int visionWidth;
    private final int width;
    private final int numQueries;
    private final Parameter query;
    private final Norm lnQ;
    private final Norm lnK;
    private final MultiHeadAttention attention;
    private final Dense outProj;
    private final Norm lnPost;
    private final Dense projection;

    /**
     * @param visionWidth Dv of the image features (the keys' and values' input width)
     * @param width H, the queries' width
     * @param projectionName the projection's checkpoint name ({@link QFormerBridge#OPT_PROJ})
     */
    public AttentionalPooling(int visionWidth, int width, int numQueries, int heads, double eps, int llmWidth,
                              String projectionName) {
        this.visionWidth = visionWidth;
        this.width = width;
        this.numQueries = numQueries;
        this.query = parameter("query", new Shape(1, numQueries, width), new NormalInitializer(0.02f));
        this.lnQ = module("ln_q", new Norm(width, eps));
        this.lnK = module("ln_k", new Norm(visionWidth, eps));
        this.attention = module("attn", new MultiHeadAttention(width, visionWidth, heads, 0.0));
        this.outProj = module("out_proj", new Dense(width, width));
        this.lnPost = module("ln_post", new Norm(width, eps));
        this.projection = module(projectionName, new Dense(width, llmWidth));
    }

    @Override
    public VisualPrompt forward(NDManager scope, NDArray imageFeatures, TextTensors instruction, boolean training) {
        NDArray image = lnK.forward(checkImage(imageFeatures, visionWidth, -1));
        NDArray q = value(query).broadcast(new Shape(imageFeatures.getShape().get(0), numQueries, width));
        q.attach(scope);
        NDArray pooled = outProj.forward(attention.attend(lnQ.forward(q), attention.keysValues(image), null, training));
        NDArray hidden = lnPost.forward(pooled);
        return new VisualPrompt(projection.forward(hidden), hidden);
    }

    @Override
    public BridgeType type() {
        return BridgeType.ATTENTIONAL_POOLING;
    }

    @Override
    public int promptLength() {
        return numQueries;
    }

    @Override
    public int outputWidth() {
        return projection.outFeatures();
    }
}
