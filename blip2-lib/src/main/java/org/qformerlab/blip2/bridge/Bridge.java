package org.qformerlab.blip2.bridge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.function.Predicate;
import org.qformerlab.blip2.data.TextTensors;
import org.qformerlab.blip2.nn.Module;

/**
 * What connects a frozen image encoder to a frozen language model: image features [B, P, Dv] in,
 * a soft visual prompt [B, N, Dllm] out, which the LLM reads in front of the text as if it were N
 * word embeddings. Only the bridge trains in stage 2.
 *
 * <p>BLIP-2's bridge is the Q-Former ({@link QFormerBridge}: N = number of queries); the others
 * from the same literature are configurations of this one interface ({@link BridgeConfig}):
 * Flamingo's {@link PerceiverResampler}, LLaVA's {@link LinearProjection} of every patch, CoCa's
 * {@link AttentionalPooling}, and InstructBLIP's instruction-aware Q-Former
 * ({@link QFormerBridge#instructionAware}). A bridge is a {@link Module} so that its parameters
 * carry checkpoint names and train like any other.
 *
 * <p>Every bridge is handed the instruction, the text the language model is asked to continue
 * ("a picture of" for a caption, "Question: q Answer:" for VQA), as Q-Former token ids; only a
 * bridge that {@link #readsInstruction() reads it} looks at it, so callers never ask which bridge
 * they have.
 */
public abstract class Bridge extends Module {

    /** The soft prompt [B, N, Dllm], and the bridge's own output before projection, for inspection. */
    public record VisualPrompt(NDArray embeds, NDArray hidden) {}

    /**
     * @param scope the step's manager (the caller attaches the inputs to it)
     * @param imageFeatures the frozen encoder's features [B, P, Dv]
     * @param instruction the instruction's Q-Former token ids and padding mask, int64 [B, T], or
     *     null; ignored unless {@link #readsInstruction()}
     */
    public abstract VisualPrompt forward(
            NDManager scope, NDArray imageFeatures, TextTensors instruction, boolean training);

    /** {@link #forward(NDManager, NDArray, TextTensors, boolean)} without an instruction. */
    public final VisualPrompt forward(NDManager scope, NDArray imageFeatures, boolean training) {
        return forward(scope, imageFeatures, null, training);
    }

    /** Whether the soft prompt depends on the instruction (InstructBLIP); false by default. */
    public boolean readsInstruction() {
        return false;
    }

    /** The bridge's name in configs and reports ({@code qformer}, {@code perceiver}, ...). */
    public abstract BridgeType type();

    /** N, the number of soft-prompt positions it produces. */
    public abstract int promptLength();

    /** Dllm, the width of its output (the language model's embedding width). */
    public abstract int outputWidth();

    /**
     * Parameters that exist in this bridge's model but that it does not use (a Q-Former built
     * from a stage-1 model keeps its text side); stage-2 checkpoints lack them on purpose. None by
     * default.
     */
    public Predicate<String> unusedParameters() {
        return name -> false;
    }

    /**
     * Rejects image features that are not [B, P, {@code width}] (or, with {@code patches >= 0}, not
     * exactly P = {@code patches}) with a message that names the fix.
     */
    protected static NDArray checkImage(NDArray imageFeatures, int width, int patches) {
        var s = imageFeatures.getShape();
        if (s.dimension() != 3 || s.get(2) != width || (patches >= 0 && s.get(1) != patches)) {
            throw new IllegalArgumentException("image features have shape " + s + " but this bridge reads [batch, "
                    + (patches >= 0 ? "patches=" + patches : "patches") + ", visionWidth=" + width
                    + "]: build the bridge for the image encoder's features");
        }
        return imageFeatures;
    }
}
