package org.qformerlab.blip2.qformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.nn.Dense;
import org.qformerlab.blip2.nn.GradMode;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.Norm;
import org.qformerlab.blip2.nn.Overwrite;

/**
 * The stage-1 model of BLIP-2 (LAVIS {@code Blip2Qformer}), everything that trains in stage 1:
 *
 * <ul>
 *   <li>{@code ln_vision}: LayerNorm over the frozen image encoder's features;
 *   <li>{@code query_tokens}: Q learned query embeddings [1, Q, H];
 *   <li>{@code Qformer}: the encoder and its LM head;
 *   <li>{@code vision_proj}, {@code text_proj}: H -> embedDim projections for ITC;
 *   <li>{@code itm_head}: H -> 2 (match / no match);
 *   <li>{@code temp}: the learnable ITC temperature.
 * </ul>
 *
 * The objectives that use these parts live in {@code org.qformerlab.blip2.objectives}.
 */
public final class Blip2QFormer extends Module {

    private final QFormerConfig config;
    private final Parameter queryTokens;
    private final Parameter temp;
    private final Norm lnVision;
    private final QFormerWithLmHead qformer;
    private final Dense visionProj;
    private final Dense textProj;
    private final Dense itmHead;

    /**
     * The epsilon of LAVIS's {@code ln_vision} (PyTorch's LayerNorm default). Hugging Face applies
     * the same normalisation as the vision model's {@code post_layernorm}, with the vision config's
     * {@code layer_norm_eps} (1e-6 in BLIP-2's ViT-g).
     */
    public static final double LAVIS_LN_VISION_EPS = 1e-5;

    public Blip2QFormer(QFormerConfig c) {
        this(c, LAVIS_LN_VISION_EPS);
    }

    /** With {@code ln_vision}'s epsilon given (a Hugging Face checkpoint's vision {@code layer_norm_eps}). */
    public Blip2QFormer(QFormerConfig c, double lnVisionEps) {
        this.config = c;
        this.queryTokens =
                parameter("query_tokens", new Shape(1, c.numQueries(), c.hiddenSize()), new NormalInitializer((float) c.initializerRange()));
        this.temp = parameter("temp", new Shape(), new ConstantInitializer((float) c.initTemperature()));
        this.lnVision = module("ln_vision", new Norm(c.visionWidth(), lnVisionEps));
        this.qformer = module("Qformer", new QFormerWithLmHead(c));
        // LAVIS creates the three heads as plain nn.Linear beside the BERT, with PyTorch's initialisation
        this.visionProj = module("vision_proj", Dense.linearDefault(c.hiddenSize(), c.embedDim()));
        this.textProj = module("text_proj", Dense.linearDefault(c.hiddenSize(), c.embedDim()));
        this.itmHead = module("itm_head", Dense.linearDefault(c.hiddenSize(), 2));
    }

    /**
     * Builds and initialises a model on the manager's device: the queries and the BERT's weights
     * normal(0, {@code initializerRange}), the three heads as PyTorch's {@code nn.Linear}
     * ({@link Dense#linearDefault}), LayerNorms 1 and 0, the temperature {@code initTemperature}.
     */
    public static Blip2QFormer create(QFormerConfig c, NDManager manager) {
        Blip2QFormer model = new Blip2QFormer(c);
        model.initialize(manager, DataType.FLOAT32);
        return model;
    }

    public QFormerConfig config() {
        return config;
    }

    public QFormerEncoder encoder() {
        return qformer.bert();
    }

    public QFormerWithLmHead qformer() {
        return qformer;
    }

    /**
     * The learned queries repeated for a batch: [B, Q, H], attached to {@code step} (the step's
     * scope) so that nothing derived from them lands in the model's own manager.
     */
    public NDArray queries(NDManager step, long batch) {
        NDArray q = value(queryTokens).broadcast(new Shape(batch, config.numQueries(), config.hiddenSize()));
        q.attach(step);
        return q;
    }

    /**
     * The ITC temperature (a scalar), attached to {@code step}. With {@code clamp}, the parameter
     * itself is first clamped in place to [0.001, 0.5] outside autograd, as BLIP-1 does
     * ({@code temp.clamp_(0.001, 0.5)} under {@code no_grad}): the value used is always positive
     * and the gradient keeps flowing, so the temperature can move back from a bound. (Clipping only
     * the value used would zero its gradient at the bound and leave the parameter stuck below it.)
     */
    public NDArray temperature(NDManager step, boolean clamp) {
        if (clamp) {
            try (GradMode ignored = GradMode.off()) {
                float t = value(temp).getFloat();
                if (t < 0.001f || t > 0.5f) {
                    Overwrite.fill(value(temp), Math.max(0.001f, Math.min(0.5f, t)));
                }
            }
        }
        NDArray t = value(temp).reshape(new Shape());
        t.attach(step);
        return t;
    }

    /** The temperature parameter itself (for optional clamping). */
    public Parameter temperatureParameter() {
        return temp;
    }

    /** {@code ln_vision} applied to the frozen encoder's features [B, P, Dv]. */
    public NDArray normalizeImage(NDArray imageEmbeds) {
        long width = imageEmbeds.getShape().get(imageEmbeds.getShape().dimension() - 1);
        if (width != config.visionWidth()) {
            throw new IllegalArgumentException(
                    "image features have width " + width + " (shape " + imageEmbeds.getShape()
                            + ") but the model was built with visionWidth=" + config.visionWidth()
                            + ": set visionWidth to " + width + " or use a matching image encoder");
        }
        return lnVision.forward(imageEmbeds);
    }

    public Dense visionProj() {
        return visionProj;
    }

    public Dense textProj() {
        return textProj;
    }

    public Dense itmHead() {
        return itmHead;
    }
}
