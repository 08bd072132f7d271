package org.qformerlab.blip2.llm;

import static org.qformerlab.blip2.config.ConfigException.require;

/**
 * The shape of a T5 v1.1 / FlanT5 encoder-decoder (Hugging Face {@code T5Config}), the frozen LLM of
 * BLIP-2's FlanT5 variants: RMS norms, relative position buckets instead of position embeddings,
 * gated-GELU feed-forward blocks.
 *
 * @param vocabSize rows of the shared token embedding {@code shared}
 * @param dModel width of every token
 * @param dKv width of one attention head (heads * dKv need not equal dModel)
 * @param dFf width of the gated feed-forward block
 * @param numLayers encoder blocks
 * @param numDecoderLayers decoder blocks
 * @param numHeads attention heads
 * @param relativeAttentionNumBuckets buckets of relative distance (32)
 * @param relativeAttentionMaxDistance distances beyond it share the last bucket (128)
 * @param layerNormEps epsilon of the RMS norms (1e-6)
 * @param dropout dropout while training (0.1; 0 gives the eval-mode function)
 * @param padTokenId padding id (0), also the decoder's start token
 * @param eosTokenId end of text (1)
 * @param tieWordEmbeddings whether {@code lm_head} is {@code shared} (T5 1.0; FlanT5: false); tied
 *     heads scale the decoder output by dModel^-0.5 first
 * @param denseActFn the gate's GELU (Hugging Face's {@code dense_act_fn}): {@code gelu_new}, the tanh
 *     approximation FlanT5 was trained with, or {@code gelu}, the exact (erf) one, which LAVIS's
 *     {@code Blip2T5} sets on its FlanT5
 */
public record T5Config(
        int vocabSize,
        int dModel,
        int dKv,
        int dFf,
        int numLayers,
        int numDecoderLayers,
        int numHeads,
        int relativeAttentionNumBuckets,
        int relativeAttentionMaxDistance,
        double layerNormEps,
        double dropout,
        int padTokenId,
        int eosTokenId,
        boolean tieWordEmbeddings,
        String denseActFn) {

    /** FlanT5's own activation: GELU in its tanh approximation. */
    public static final String GELU_NEW = "gelu_new";

    /** The exact (erf) GELU, as LAVIS's {@code Blip2T5} runs FlanT5. */
    public static final String GELU = "gelu";

    /** A T5 with FlanT5's own activation ({@link #GELU_NEW}). */
    public T5Config(int vocabSize, int dModel, int dKv, int dFf, int numLayers, int numDecoderLayers, int numHeads,
                    int relativeAttentionNumBuckets, int relativeAttentionMaxDistance, double layerNormEps,
                    double dropout, int padTokenId, int eosTokenId, boolean tieWordEmbeddings) {
        this(vocabSize, dModel, dKv, dFf, numLayers, numDecoderLayers, numHeads, relativeAttentionNumBuckets,
                relativeAttentionMaxDistance, layerNormEps, dropout, padTokenId, eosTokenId, tieWordEmbeddings, GELU_NEW);
    }

    public T5Config {
        String c = "T5Config.";
        for (var f : new Object[][] {{"vocabSize", vocabSize}, {"dModel", dModel}, {"dKv", dKv}, {"dFf", dFf},
                {"numLayers", numLayers}, {"numDecoderLayers", numDecoderLayers}, {"numHeads", numHeads}}) {
            require((int) f[1] > 0, c + f[0] + "=" + f[1] + " must be positive");
        }
        require(relativeAttentionNumBuckets >= 4 && relativeAttentionNumBuckets % 2 == 0,
                c + "relativeAttentionNumBuckets=" + relativeAttentionNumBuckets + " must be even and at least 4 (T5: 32)");
        require(relativeAttentionMaxDistance > relativeAttentionNumBuckets / 4,
                c + "relativeAttentionMaxDistance=" + relativeAttentionMaxDistance
                        + " must exceed relativeAttentionNumBuckets / 4 (T5: 128)");
        require(layerNormEps > 0, c + "layerNormEps=" + layerNormEps + " must be positive (T5: 1e-6)");
        require(dropout >= 0 && dropout < 1, c + "dropout=" + dropout + " must be in [0, 1)");
        denseActFn = denseActFn == null ? GELU_NEW : denseActFn;
        require(denseActFn.equals(GELU_NEW) || denseActFn.equals(GELU), c + "denseActFn='" + denseActFn
                + "' must be '" + GELU_NEW + "' (FlanT5's tanh GELU) or '" + GELU + "' (exact GELU, as LAVIS's Blip2T5)");
        for (int id : new int[] {padTokenId, eosTokenId}) {
            require(id >= 0 && id < vocabSize, c + "special token id " + id + " (pad/eos) must lie in [0, vocabSize="
                    + vocabSize + ")");
        }
    }

    /** The decoder starts from the padding id, as in T5. */
    public int decoderStartTokenId() {
        return padTokenId;
    }

    /** FlanT5-XL, BLIP-2's smaller FlanT5, for reference sizes. */
    public static T5Config flanT5Xl() {
        return new T5Config(32128, 2048, 64, 5120, 24, 24, 32, 32, 128, 1e-6, 0.1, 0, 1, false);
    }

    /** A tiny T5 for tests and teaching. */
    public static T5Config tiny() {
        return new T5Config(48, 32, 8, 64, 2, 2, 4, 8, 20, 1e-6, 0.0, 0, 1, false);
    }

    /** This config with {@code vocabSize} replaced. */
    public T5Config withVocabSize(int vocabSize) {
        return toBuilder().vocabSize(vocabSize).build();
    }

    /** This config with {@code dModel} replaced. */
    public T5Config withDModel(int dModel) {
        return toBuilder().dModel(dModel).build();
    }

    /** This config with {@code dKv} replaced. */
    public T5Config withDKv(int dKv) {
        return toBuilder().dKv(dKv).build();
    }

    /** This config with {@code dFf} replaced. */
    public T5Config withDFf(int dFf) {
        return toBuilder().dFf(dFf).build();
    }

    /** This config with {@code numLayers} replaced. */
    public T5Config withNumLayers(int numLayers) {
        return toBuilder().numLayers(numLayers).build();
    }

    /** This config with {@code numDecoderLayers} replaced. */
    public T5Config withNumDecoderLayers(int numDecoderLayers) {
        return toBuilder().numDecoderLayers(numDecoderLayers).build();
    }

    /** This config with {@code numHeads} replaced. */
    public T5Config withNumHeads(int numHeads) {
        return toBuilder().numHeads(numHeads).build();
    }

    /** This config with {@code relativeAttentionNumBuckets} replaced. */
    public T5Config withRelativeAttentionNumBuckets(int relativeAttentionNumBuckets) {
        return toBuilder().relativeAttentionNumBuckets(relativeAttentionNumBuckets).build();
    }

    /** This config with {@code relativeAttentionMaxDistance} replaced. */
    public T5Config withRelativeAttentionMaxDistance(int relativeAttentionMaxDistance) {
        return toBuilder().relativeAttentionMaxDistance(relativeAttentionMaxDistance).build();
    }

    /** This config with {@code layerNormEps} replaced. */
    public T5Config withLayerNormEps(double layerNormEps) {
        return toBuilder().layerNormEps(layerNormEps).build();
    }

    /** This config with {@code dropout} replaced. */
    public T5Config withDropout(double dropout) {
        return toBuilder().dropout(dropout).build();
    }

    /** This config with {@code padTokenId} replaced. */
    public T5Config withPadTokenId(int padTokenId) {
        return toBuilder().padTokenId(padTokenId).build();
    }

    /** This config with {@code eosTokenId} replaced. */
    public T5Config withEosTokenId(int eosTokenId) {
        return toBuilder().eosTokenId(eosTokenId).build();
    }

    /** This config with {@code tieWordEmbeddings} replaced. */
    public T5Config withTieWordEmbeddings(boolean tieWordEmbeddings) {
        return toBuilder().tieWordEmbeddings(tieWordEmbeddings).build();
    }

    /** This T5 with another gate activation ({@link #GELU_NEW} or {@link #GELU}). */
    public T5Config withDenseActFn(String denseActFn) {
        return toBuilder().denseActFn(denseActFn).build();
    }

    /** A builder starting from this config: name the fields that change, then {@link Builder#build}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Named construction of a {@link T5Config}: starts from a config, every field has a setter, and the
     * record validates once, in {@link #build} (so fields that must agree can change together).
     */
    public static final class Builder {
        private int vocabSize;
        private int dModel;
        private int dKv;
        private int dFf;
        private int numLayers;
        private int numDecoderLayers;
        private int numHeads;
        private int relativeAttentionNumBuckets;
        private int relativeAttentionMaxDistance;
        private double layerNormEps;
        private double dropout;
        private int padTokenId;
        private int eosTokenId;
        private boolean tieWordEmbeddings;
        private String denseActFn;

        private Builder(T5Config c) {
            this.vocabSize = c.vocabSize();
            this.dModel = c.dModel();
            this.dKv = c.dKv();
            this.dFf = c.dFf();
            this.numLayers = c.numLayers();
            this.numDecoderLayers = c.numDecoderLayers();
            this.numHeads = c.numHeads();
            this.relativeAttentionNumBuckets = c.relativeAttentionNumBuckets();
            this.relativeAttentionMaxDistance = c.relativeAttentionMaxDistance();
            this.layerNormEps = c.layerNormEps();
            this.dropout = c.dropout();
            this.padTokenId = c.padTokenId();
            this.eosTokenId = c.eosTokenId();
            this.tieWordEmbeddings = c.tieWordEmbeddings();
            this.denseActFn = c.denseActFn();
        }

        public Builder vocabSize(int vocabSize) {
            this.vocabSize = vocabSize;
            return this;
        }

        public Builder dModel(int dModel) {
            this.dModel = dModel;
            return this;
        }

        public Builder dKv(int dKv) {
            this.dKv = dKv;
            return this;
        }

        public Builder dFf(int dFf) {
            this.dFf = dFf;
            return this;
        }

        public Builder numLayers(int numLayers) {
            this.numLayers = numLayers;
            return this;
        }

        public Builder numDecoderLayers(int numDecoderLayers) {
            this.numDecoderLayers = numDecoderLayers;
            return this;
        }

        public Builder numHeads(int numHeads) {
            this.numHeads = numHeads;
            return this;
        }

        public Builder relativeAttentionNumBuckets(int relativeAttentionNumBuckets) {
            this.relativeAttentionNumBuckets = relativeAttentionNumBuckets;
            return this;
        }

        public Builder relativeAttentionMaxDistance(int relativeAttentionMaxDistance) {
            this.relativeAttentionMaxDistance = relativeAttentionMaxDistance;
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

        public Builder padTokenId(int padTokenId) {
            this.padTokenId = padTokenId;
            return this;
        }

        public Builder eosTokenId(int eosTokenId) {
            this.eosTokenId = eosTokenId;
            return this;
        }

        public Builder tieWordEmbeddings(boolean tieWordEmbeddings) {
            this.tieWordEmbeddings = tieWordEmbeddings;
            return this;
        }

        public Builder denseActFn(String denseActFn) {
            this.denseActFn = denseActFn;
            return this;
        }

        public T5Config build() {
            return new T5Config(vocabSize, dModel, dKv, dFf, numLayers, numDecoderLayers, numHeads, relativeAttentionNumBuckets, relativeAttentionMaxDistance, layerNormEps, dropout, padTokenId, eosTokenId, tieWordEmbeddings, denseActFn);
        }
    }
}
