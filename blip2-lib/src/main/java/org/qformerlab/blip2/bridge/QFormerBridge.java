package org.qformerlab.blip2.bridge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.nn.Dense;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.qformer.EncoderOutput;

/**
 * BLIP-2's bridge: the stage-1 Q-Former's learned queries cross-attend to
 * {@code ln_vision(image features)} (queries only, no text), and one Linear
 * ({@code language_projection}; LAVIS calls it {@code opt_proj} or {@code t5_proj}) maps each of
 * the Q query outputs to the LLM's embedding width: a soft prompt of Q tokens.
 *
 * <p>The Q-Former is the stage-1 model itself ({@code query_tokens}, {@code ln_vision},
 * {@code Qformer.*}, names unchanged), so a stage-1 checkpoint carries over. Stage 2 does not use
 * its text side (word and position embeddings, the text feed-forward blocks, the LM head) nor the
 * stage-1 heads ({@code temp}, {@code vision_proj}, {@code text_proj}, {@code itm_head}): they are
 * frozen here and listed by {@link #unusedParameters()}, which stage-2 checkpoints lack on purpose.
 */
public final class QFormerBridge extends Bridge {

    /** LAVIS's name of the projection in front of an OPT. */
    public static final String OPT_PROJ = "opt_proj";
    /** LAVIS's name of the projection in front of a T5. */
    public static final String T5_PROJ = "t5_proj";

    private static final Pattern UNUSED = Pattern.compile(
            "^(temp|vision_proj\\..*|text_proj\\..*|itm_head\\..*|Qformer\\.cls\\..*"
                    + "|Qformer\\.bert\\.embeddings\\.(word|position)_embeddings\\..*"
                    + "|Qformer\\.bert\\.encoder\\.layer\\.\\d+\\.(intermediate|output)\\..*)$");

    private final Blip2QFormer qformer;
    private final Dense projection;

    /**
     * @param llmWidth the LLM's embedding width
     * @param projectionName the projection's checkpoint name ({@link #OPT_PROJ}, {@link #T5_PROJ})
     */
    public QFormerBridge(QFormerConfig config, int llmWidth, String projectionName) {
        this.qformer = inline("qformer", new Blip2QFormer(config));
        this.projection = module(projectionName, new Dense(config.hiddenSize(), llmWidth));
        qformer.namedParameters().forEach((name, p) -> {
            if (UNUSED.matcher(name).matches()) {
                p.freeze(true);
            }
        });
    }

    public Blip2QFormer qformer() {
        return qformer;
    }

    public Dense projection() {
        return projection;
    }

    /** The query pass: Q-Former query outputs [B, Q, H] for image features [B, P, Dv]. */
    public NDArray queryOutput(NDManager scope, NDArray imageFeatures, boolean training) {
        long b = imageFeatures.getShape().get(0);
        var encoder = qformer.encoder();
        var image = encoder.encodeImage(qformer.normalizeImage(imageFeatures));
        EncoderOutput pass = encoder.forward(qformer.queries(scope, b), null, null, image, null, training);
        return pass.hidden();
    }

    @Override
    public VisualPrompt forward(NDManager scope, NDArray imageFeatures, boolean training) {
        NDArray queries = queryOutput(scope, imageFeatures, training);
        return new VisualPrompt(projection.forward(queries), queries);
    }

    @Override
    public int promptLength() {
        return qformer.config().numQueries();
    }

    @Override
    public int outputWidth() {
        return projection.outFeatures();
    }

    @Override
    public Predicate<String> unusedParameters() {
        return name -> UNUSED.matcher(name).matches();
    }
}
