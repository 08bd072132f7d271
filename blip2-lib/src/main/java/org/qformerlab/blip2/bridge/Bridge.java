package org.qformerlab.blip2.bridge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.function.Predicate;
import org.qformerlab.blip2.nn.Module;

/**
 * What connects a frozen image encoder to a frozen language model: image features [B, P, Dv] in,
 * a soft visual prompt [B, N, Dllm] out, which the LLM reads in front of the text as if it were N
 * word embeddings. Only the bridge trains in stage 2.
 *
 * <p>BLIP-2's bridge is the Q-Former ({@link QFormerBridge}: N = number of queries); others from
 * the same literature (Perceiver Resampler, one linear projection of every patch, attentional
 * pooling, an instruction-aware Q-Former) are further subclasses with their own configuration.
 * A bridge is a {@link Module} so that its parameters carry checkpoint names and train like any
 * other.
 */
public abstract class Bridge extends Module {

    /** The soft prompt [B, N, Dllm], and the bridge's own output before projection, for inspection. */
    public record VisualPrompt(NDArray embeds, NDArray hidden) {}

    /**
     * @param scope the step's manager (the caller attaches the inputs to it)
     * @param imageFeatures the frozen encoder's features [B, P, Dv]
     */
    public abstract VisualPrompt forward(NDManager scope, NDArray imageFeatures, boolean training);

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
}
