package org.qformerlab.blip2.bridge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.qformerlab.blip2.llm.Generation;
import org.qformerlab.blip2.llm.GenerationConfig;
import org.qformerlab.blip2.nn.Module;

/**
 * The frozen LLM of BLIP-2 as captioning sees it: it reads the soft visual prompt [B, N, D]
 * followed by the embedded text prompt and writes the caption. BLIP-2 has two kinds, which read the
 * prefix differently:
 *
 * <ul>
 *   <li>decoder-only ({@link OptLanguageModel}): {@code [soft prompt ; BOS + prompt]} is the start of
 *       the sequence that the model continues;
 *   <li>encoder-decoder ({@link T5LanguageModel}): {@code [soft prompt ; prompt + EOS]} is the
 *       encoder's input; the decoder writes the caption from its start token.
 * </ul>
 */
public interface FrozenLanguageModel {

    /** The model itself (its parameters, frozen). */
    Module module();

    /** Its name in a LAVIS checkpoint ({@code opt_model}, {@code t5_model}). */
    String checkpointName();

    /** The LAVIS name of the projection in front of it ({@code opt_proj}, {@code t5_proj}). */
    String projectionName();

    /** Width of its input embeddings: what the bridge must produce. */
    int embeddingWidth();

    /** Rows of its output logits. */
    int vocabSize();

    /**
     * The loss and logits of one stage-2 pass.
     *
     * @param loss mean cross-entropy over the predicted text tokens (no label smoothing)
     * @param logits decoder-only: [B, N + T, V] over [soft prompt ; text]; encoder-decoder: [B, T - P, V]
     *     over the decoder's positions, one per target token
     */
    record Modelling(NDArray loss, NDArray logits) {}

    /**
     * BLIP-2's stage-2 language modelling behind a soft prompt, as this kind of LM reads it:
     *
     * <ul>
     *   <li>decoder-only: {@code [soft prompt ; text]} under the mask {@code [ones(N) ; text mask]},
     *       every text token from position {@code promptLength} on predicted from what precedes it;
     *   <li>encoder-decoder: the encoder reads {@code [soft prompt ; prompt + EOS]} (the prompt is text
     *       tokens 1 to {@code promptLength - 1}, token 0 being the start marker that decoder-only
     *       models read as BOS), the decoder predicts the rest of the text (the suffix, ending with
     *       EOS) from the decoder start token (BLIP-2's prefix language modelling).
     * </ul>
     *
     * Padding is never predicted. The LM's weights are frozen; gradients flow through it to the soft prompt.
     *
     * @param textIds int64 [B, T], right-padded; the first {@code promptLength} tokens are the same in every row
     * @param textMask int64 [B, T], 1 = token, 0 = padding
     */
    Modelling languageModelling(NDManager scope, NDArray softPrompt, NDArray textIds, NDArray textMask,
                                int promptLength, boolean training);

    /** Hugging Face file names that hold tied copies of its parameters: file name -> internal name. */
    Map<String, String> tiedCopies();

    /** The prompt's token ids framed as this model expects them (BOS first for OPT, EOS last for T5). */
    long[] framePrompt(long[] promptIds);

    /** The id that ends a caption. */
    int eosTokenId();

    /** The padding id (fills rows that stopped early). */
    int padTokenId();

    /**
     * Decodes a caption per row, without gradients.
     *
     * @param scope the caller's scope; everything made here is freed with it
     * @param softPrompt [B, N, D] projected query outputs
     * @param promptIds int64 [B, P] framed prompt ids (the same for every row), or null for none
     */
    Generation generate(NDManager scope, NDArray softPrompt, NDArray promptIds, GenerationConfig config);
}
