package org.qformerlab.blip2.llm;

import static org.qformerlab.blip2.config.ConfigException.require;

/**
 * The shape of an OPT decoder (Zhang et al. 2022; Hugging Face {@code OPTConfig}), the frozen
 * decoder-only language model of BLIP-2's OPT variants. Plain data, validated on construction.
 *
 * @param vocabSize rows of {@code embed_tokens} (and of the tied LM head)
 * @param hiddenSize width D of every token (2560 for OPT-2.7b)
 * @param ffnDim width of the ReLU feed-forward block ({@code fc1} output), usually 4D
 * @param numLayers decoder layers
 * @param numHeads attention heads; must divide hiddenSize
 * @param maxPositions the longest sequence (soft prompt + text); {@code embed_positions} has
 *     maxPositions + 2 rows because OPT offsets every position by 2
 * @param padTokenId id of the padding token (1 in OPT's tokenizer)
 * @param bosTokenId id of the first token of every text ({@code </s>} = 2 in OPT)
 * @param eosTokenId id that ends a generated text (2 in OPT)
 * @param layerNormEps epsilon of every LayerNorm (1e-5)
 * @param dropout dropout on hidden states while training (0.1 in OPT; 0 gives the eval-mode function)
 * @param layerNormBefore pre-LN layers (true for every OPT except 350m)
 */
public record OptConfig(
        int vocabSize,
        int hiddenSize,
        int ffnDim,
        int numLayers,
        int numHeads,
        int maxPositions,
        int padTokenId,
        int bosTokenId,
        int eosTokenId,
        double layerNormEps,
        double dropout,
        boolean layerNormBefore) {

    /** OPT's learned positions start at row 2 of {@code embed_positions} (a fairseq legacy). */
    public static final int POSITION_OFFSET = 2;

    public OptConfig {
        String c = "OptConfig.";
        require(vocabSize > 0, c + "vocabSize=" + vocabSize + " must be positive");
        require(hiddenSize > 0, c + "hiddenSize=" + hiddenSize + " must be positive");
        require(ffnDim > 0, c + "ffnDim=" + ffnDim + " must be positive (OPT uses 4 * hiddenSize)");
        require(numLayers > 0, c + "numLayers=" + numLayers + " must be at least 1");
        require(numHeads > 0, c + "numHeads=" + numHeads + " must be positive");
        require(
                hiddenSize % numHeads == 0,
                c + "hiddenSize=" + hiddenSize + " must be divisible by numHeads=" + numHeads
                        + " (each head gets hiddenSize/numHeads dimensions); change one of them");
        require(
                maxPositions > 0,
                c + "maxPositions=" + maxPositions
                        + " must be positive: it bounds soft prompt + text (2048 for the released OPTs)");
        for (int id : new int[] {padTokenId, bosTokenId, eosTokenId}) {
            require(
                    id >= 0 && id < vocabSize,
                    c + "special token id " + id + " (pad/bos/eos) must lie in [0, vocabSize="
                            + vocabSize + "); take the ids from the tokenizer");
        }
        require(layerNormEps > 0, c + "layerNormEps=" + layerNormEps + " must be positive (OPT: 1e-5)");
        require(dropout >= 0 && dropout < 1, c + "dropout=" + dropout + " must be in [0, 1)");
    }

    /** Width of one attention head. */
    public int headSize() {
        return hiddenSize / numHeads;
    }

    /** OPT-2.7b, BLIP-2's smaller OPT, for reference sizes. */
    public static OptConfig opt2_7b() {
        return new OptConfig(50272, 2560, 10240, 32, 32, 2048, 1, 2, 2, 1e-5, 0.1, true);
    }

    /** A tiny OPT for tests and teaching. */
    public static OptConfig tiny() {
        return new OptConfig(64, 32, 64, 2, 4, 64, 1, 2, 2, 1e-5, 0.0, true);
    }
}
