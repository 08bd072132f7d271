package org.qformerlab.blip2.bridge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.data.TextTensors;
import org.qformerlab.blip2.nn.Dense;
import org.qformerlab.blip2.nn.Scopes;
import org.qformerlab.blip2.qformer.AttentionMask;
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
 *
 * <h2>Instruction-aware (InstructBLIP)</h2>
 *
 * {@link #instructionAware} builds InstructBLIP's variant of the same Q-Former: the instruction's
 * tokens ({@code [CLS] words}) enter beside the queries, and queries and instruction attend to
 * each other in every self-attention layer (the bi-directional mask of ITM, padding blocked); only
 * the queries cross-attend to the image, and only their Q outputs go to the projection. The queries
 * can so extract the visual features the instruction asks for. The text side is used here, so only
 * the LM head and the stage-1 heads are unused; a stage-1 checkpoint carries over as for BLIP-2.
 */
public final class QFormerBridge extends Bridge {

    /** LAVIS's name of the projection in front of an OPT. */
    public static final String OPT_PROJ = "opt_proj";
    /** LAVIS's name of the projection in front of a T5. */
    public static final String T5_PROJ = "t5_proj";

    private static final Pattern HEADS = Pattern.compile("temp|vision_proj\\..*|text_proj\\..*|itm_head\\..*"
            + "|Qformer\\.cls\\..*");
    private static final Pattern TEXT_SIDE = Pattern.compile("Qformer\\.bert\\.embeddings\\.(word|position)_embeddings\\..*"
            + "|Qformer\\.bert\\.encoder\\.layer\\.\\d+\\.(intermediate|output)\\..*");

    private final Blip2QFormer qformer;
    private final Dense projection;
    private final boolean instructionAware;

    /**
     * BLIP-2's Q-Former bridge (queries only).
     *
     * @param llmWidth the LLM's embedding width
     * @param projectionName the projection's checkpoint name ({@link #OPT_PROJ}, {@link #T5_PROJ})
     */
    public QFormerBridge(QFormerConfig config, int llmWidth, String projectionName) {
        this(config, llmWidth, projectionName, false, Blip2QFormer.LAVIS_LN_VISION_EPS);
    }

    /** BLIP-2's Q-Former bridge with {@code ln_vision}'s epsilon given (Hugging Face: the vision config's). */
    public QFormerBridge(QFormerConfig config, int llmWidth, String projectionName, double lnVisionEps) {
        this(config, llmWidth, projectionName, false, lnVisionEps);
    }

    /** InstructBLIP's instruction-aware Q-Former bridge (see the class comment). */
    public static QFormerBridge instructionAware(QFormerConfig config, int llmWidth, String projectionName) {
        return new QFormerBridge(config, llmWidth, projectionName, true, Blip2QFormer.LAVIS_LN_VISION_EPS);
    }

    private QFormerBridge(QFormerConfig config, int llmWidth, String projectionName, boolean instructionAware,
                          double lnVisionEps) {
        this.qformer = inline("qformer", new Blip2QFormer(config, lnVisionEps));
        this.projection = module(projectionName, new Dense(config.hiddenSize(), llmWidth));
        this.instructionAware = instructionAware;
        Predicate<String> unused = unusedParameters();
        qformer.namedParameters().forEach((name, p) -> {
            if (unused.test(name)) {
                p.freeze(true);
            }
        });
    }

    public Blip2QFormer qformer() {
        return qformer;
    }

    /**
     * Freezes the whole Q-Former (queries, {@code ln_vision}, every layer): only the projection to the
     * LLM trains, so stage 2 becomes a probe of what the queries carry
     * ({@code stage2.bridge.projectionOnly}). Call before the weights are loaded or initialised.
     */
    public void freezeQFormer() {
        qformer.namedParameters().forEach((name, p) -> p.freeze(true));
    }

    public Dense projection() {
        return projection;
    }

    /** The query pass of BLIP-2: Q-Former query outputs [B, Q, H] for image features [B, P, Dv]. */
    public NDArray queryOutput(NDManager scope, NDArray imageFeatures, boolean training) {
        return queryOutput(scope, imageFeatures, null, training);
    }

    /**
     * Q-Former query outputs [B, Q, H]. With an instruction (and only if this bridge is
     * instruction-aware) the instruction tokens run beside the queries under the bi-directional
     * mask; the query positions of the result are returned.
     */
    public NDArray queryOutput(NDManager scope, NDArray imageFeatures, TextTensors instruction, boolean training) {
        long b = imageFeatures.getShape().get(0);
        var encoder = qformer.encoder();
        var image = encoder.encodeImage(qformer.normalizeImage(imageFeatures));
        NDArray queries = qformer.queries(scope, b);
        if (!instructionAware || instruction == null) {
            return encoder.forward(queries, null, null, image, null, training).hidden();
        }
        checkInstruction(instruction, b);
        Scopes.enter(scope, instruction.ids(), instruction.mask());
        int q = qformer.config().numQueries();
        int t = (int) instruction.ids().getShape().get(1);
        NDArray bias = AttentionMask.bidirectional(q, t).bias(scope, instruction.mask());
        EncoderOutput pass = encoder.forward(queries, instruction.ids(), bias, image, null, training);
        return pass.hidden().get(new NDIndex(":, :{}", q));
    }

    @Override
    public VisualPrompt forward(NDManager scope, NDArray imageFeatures, TextTensors instruction, boolean training) {
        NDArray queries = queryOutput(scope, imageFeatures, instruction, training);
        return new VisualPrompt(projection.forward(queries), queries);
    }

    @Override
    public boolean readsInstruction() {
        return instructionAware;
    }

    @Override
    public BridgeType type() {
        return instructionAware ? BridgeType.INSTRUCTION_QFORMER : BridgeType.QFORMER;
    }

    @Override
    public int promptLength() {
        return qformer.config().numQueries();
    }

    @Override
    public int outputWidth() {
        return projection.outFeatures();
    }

    /**
     * The stage-1 heads and the LM head; for BLIP-2's query-only pass also the whole text side
     * (the instruction-aware Q-Former reads text, so it keeps its text side).
     */
    @Override
    public Predicate<String> unusedParameters() {
        boolean textUnused = !instructionAware;
        return name -> HEADS.matcher(name).matches() || (textUnused && TEXT_SIDE.matcher(name).matches());
    }

    private static void checkInstruction(TextTensors instruction, long batch) {
        var ids = instruction.ids().getShape();
        if (ids.dimension() != 2 || !ids.equals(instruction.mask().getShape()) || ids.get(0) != batch) {
            throw new IllegalArgumentException("the instruction's ids " + ids + " and mask "
                    + instruction.mask().getShape() + " must both be [batch=" + batch
                    + ", instructionLength]: give one instruction per image");
        }
    }
}
