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
