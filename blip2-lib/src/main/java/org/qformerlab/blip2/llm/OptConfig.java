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

    /** This config with {@code vocabSize} replaced. */
    public OptConfig withVocabSize(int vocabSize) {
        return toBuilder().vocabSize(vocabSize).build();
    }

    /** This config with {@code hiddenSize} replaced. */
    public OptConfig withHiddenSize(int hiddenSize) {
        return toBuilder().hiddenSize(hiddenSize).build();
    }

    /** This config with {@code ffnDim} replaced. */
    public OptConfig withFfnDim(int ffnDim) {
        return toBuilder().ffnDim(ffnDim).build();
    }

    /** This config with {@code numLayers} replaced. */
    public OptConfig withNumLayers(int numLayers) {
        return toBuilder().numLayers(numLayers).build();
    }

    /** This config with {@code numHeads} replaced. */
    public OptConfig withNumHeads(int numHeads) {
        return toBuilder().numHeads(numHeads).build();
    }

    /** This config with {@code maxPositions} replaced. */
    public OptConfig withMaxPositions(int maxPositions) {
        return toBuilder().maxPositions(maxPositions).build();
    }

    /** This config with {@code padTokenId} replaced. */
    public OptConfig withPadTokenId(int padTokenId) {
        return toBuilder().padTokenId(padTokenId).build();
    }

    /** This config with {@code bosTokenId} replaced. */
    public OptConfig withBosTokenId(int bosTokenId) {
        return toBuilder().bosTokenId(bosTokenId).build();
    }

    /** This config with {@code eosTokenId} replaced. */
    public OptConfig withEosTokenId(int eosTokenId) {
        return toBuilder().eosTokenId(eosTokenId).build();
    }

    /** This config with {@code layerNormEps} replaced. */
    public OptConfig withLayerNormEps(double layerNormEps) {
        return toBuilder().layerNormEps(layerNormEps).build();
    }

    /** This config with {@code dropout} replaced. */
    public OptConfig withDropout(double dropout) {
        return toBuilder().dropout(dropout).build();
    }

    /** This config with {@code layerNormBefore} replaced. */
    public OptConfig withLayerNormBefore(boolean layerNormBefore) {
        return toBuilder().layerNormBefore(layerNormBefore).build();
    }

    /** A builder starting from this config: name the fields that change, then {@link Builder#build}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Named construction of a {@link OptConfig}: starts from a config, every field has a setter, and the
     * record validates once, in {@link #build} (so fields that must agree can change together).
     */
    public static final class Builder {
        private int vocabSize;
        private int hiddenSize;
        private int ffnDim;
        private int numLayers;
        private int numHeads;
        private int maxPositions;
        private int padTokenId;
        private int bosTokenId;
        private int eosTokenId;
        private double layerNormEps;
        private double dropout;
        private boolean layerNormBefore;

        private Builder(OptConfig c) {
            this.vocabSize = c.vocabSize();
            this.hiddenSize = c.hiddenSize();
            this.ffnDim = c.ffnDim();
            this.numLayers = c.numLayers();
            this.numHeads = c.numHeads();
            this.maxPositions = c.maxPositions();
            this.padTokenId = c.padTokenId();
            this.bosTokenId = c.bosTokenId();
            this.eosTokenId = c.eosTokenId();
            this.layerNormEps = c.layerNormEps();
            this.dropout = c.dropout();
            this.layerNormBefore = c.layerNormBefore();
        }

        public Builder vocabSize(int vocabSize) {
            this.vocabSize = vocabSize;
            return this;
        }

        public Builder hiddenSize(int hiddenSize) {
            this.hiddenSize = hiddenSize;
            return this;
        }

        public Builder ffnDim(int ffnDim) {
            this.ffnDim = ffnDim;
            return this;
        }

        public Builder numLayers(int numLayers) {
            this.numLayers = numLayers;
            return this;
        }

        public Builder numHeads(int numHeads) {
            this.numHeads = numHeads;
            return this;
        }

        public Builder maxPositions(int maxPositions) {
            this.maxPositions = maxPositions;
            return this;
        }

        public Builder padTokenId(int padTokenId) {
            this.padTokenId = padTokenId;
            return this;
        }

        public Builder bosTokenId(int bosTokenId) {
            this.bosTokenId = bosTokenId;
            return this;
        }

        public Builder eosTokenId(int eosTokenId) {
            this.eosTokenId = eosTokenId;
            return this;
        }

        public Builder layerNormEps(double layerNormEps) {
            this.layerNormEps = layerNormEps;
            return this;
        }

        public Builder dropout(double dropout) {
            this.dropout = dropout;
            return this;
        }

        public Builder layerNormBefore(boolean layerNormBefore) {
            this.layerNormBefore = layerNormBefore;
            return this;
        }

        public OptConfig build() {
            return new OptConfig(vocabSize, hiddenSize, ffnDim, numLayers, numHeads, maxPositions, padTokenId, bosTokenId, eosTokenId, layerNormEps, dropout, layerNormBefore);
        }
    }
}
