package org.qformerlab.blip2.llm;

import ai.djl.ndarray.NDArray;

/**
 * A language model that predicts the next token from input embeddings, the view that BLIP-2 and
 * the {@link Generator} need: the soft visual prompt enters as embeddings (not ids), and generation
 * feeds one new token at a time against a {@link KvCache}.
 */
public interface CausalLm {

    /** Size of the output vocabulary. */
    int vocabSize();

    /** Width of the input embeddings. */
    int embeddingWidth();

    /** Token ids int64 [B, S] -> input embeddings [B, S, D]. */
    NDArray embedTokens(NDArray ids);

    /** Next-token logits of every position, and the cache extended by these positions. */
    record Output(NDArray logits, KvCache cache) {}

    /**
     * @param inputsEmbeds [B, S, D]: the new positions
     * @param attentionMask [B, past + S], 1 = real position, 0 = padding (int64 or float)
     * @param past what earlier calls cached, or null
     */
    Output forward(NDArray inputsEmbeds, NDArray attentionMask, KvCache past, boolean training);

    /**
     * The same model for a batch whose row r is row {@code index[r]} of this one. Models with
     * per-row state besides the cache (an encoder-decoder's encoder output) override it; the
     * generator calls it once to make room for beams.
     */
    default CausalLm rows(NDArray index) {
        return this;
    }
}
