package org.qformerlab.blip2.config;

import static org.qformerlab.blip2.config.ConfigException.require;

/**
 * The shape of a Q-Former: a BERT-style encoder whose learned queries cross-attend to frozen image
 * features. Every field is one knob of an ablation; the record validates itself on construction.
 *
 * @param hiddenSize width H of every token (query or text) inside the Q-Former (768 in BLIP-2)
 * @param numLayers number of transformer layers L (12)
 * @param numHeads attention heads per layer; must divide hiddenSize (12)
 * @param intermediateSize width of the feed-forward blocks (3072)
 * @param numQueries number Q of learned query embeddings, the bottleneck of the bridge (32)
 * @param crossAttentionFreq queries cross-attend to the image in layers where
 *     {@code layer % crossAttentionFreq == 0} (2: every other layer)
 * @param visionWidth width Dv of the frozen image features (1408 for ViT-g)
 * @param vocabSize text vocabulary size of the Q-Former's word embeddings and LM head
 * @param maxTextLength rows of the position table: the longest text the Q-Former can read
 * @param hiddenDropout dropout after embeddings, attention outputs and feed-forward outputs (0.1)
 * @param attentionDropout dropout on attention probabilities (0.1)
 * @param layerNormEps epsilon of every LayerNorm (1e-12 as in BERT)
 * @param embedDim size of the ITC projections {@code vision_proj}, {@code text_proj} (256)
 * @param initTemperature initial value of the learnable ITC temperature (0.07)
 * @param padTokenId id of the padding token
 * @param clsTokenId id of the first token of every text for ITC and ITM ([CLS])
 * @param decTokenId id of the [DEC] token that replaces [CLS] for ITG
 * @param initializerRange standard deviation of the normal initialisation of the queries, the
 *     embeddings and every weight matrix of the BERT (Hugging Face's {@code initializer_range}; 0.02,
 *     BERT's value, chosen for width 768). The heads {@code vision_proj}, {@code text_proj} and
 *     {@code itm_head} are plain PyTorch {@code nn.Linear} in LAVIS and keep PyTorch's own
 *     initialisation whatever this says. A checkpoint's weights replace all of it
 */
public record QFormerConfig(
        int hiddenSize,
        int numLayers,
        int numHeads,
        int intermediateSize,
        int numQueries,
        int crossAttentionFreq,
        int visionWidth,
        int vocabSize,
        int maxTextLength,
        double hiddenDropout,
        double attentionDropout,
        double layerNormEps,
        int embedDim,
        double initTemperature,
        int padTokenId,
        int clsTokenId,
        int decTokenId,
        double initializerRange) {

    /** BERT's {@code initializer_range}. */
    public static final double BERT_INITIALIZER_RANGE = 0.02;

    /** With BERT's {@code initializer_range} of 0.02. */
    public QFormerConfig(
            int hiddenSize, int numLayers, int numHeads, int intermediateSize, int numQueries,
            int crossAttentionFreq, int visionWidth, int vocabSize, int maxTextLength, double hiddenDropout,
            double attentionDropout, double layerNormEps, int embedDim, double initTemperature, int padTokenId,
            int clsTokenId, int decTokenId) {
        this(hiddenSize, numLayers, numHeads, intermediateSize, numQueries, crossAttentionFreq, visionWidth,
                vocabSize, maxTextLength, hiddenDropout, attentionDropout, layerNormEps, embedDim, initTemperature,
                padTokenId, clsTokenId, decTokenId, BERT_INITIALIZER_RANGE);
    }

    public QFormerConfig {
        String c = "QFormerConfig.";
        require(hiddenSize > 0, c + "hiddenSize=" + hiddenSize + " must be positive");
        require(numHeads > 0, c + "numHeads=" + numHeads + " must be positive");
        require(
                hiddenSize % numHeads == 0,
                c + "hiddenSize=" + hiddenSize + " must be divisible by numHeads=" + numHeads
                        + " (each head gets hiddenSize/numHeads dimensions); change one of them");
        require(numLayers > 0, c + "numLayers=" + numLayers + " must be at least 1");
        require(intermediateSize > 0, c + "intermediateSize=" + intermediateSize + " must be positive");
        require(
                numQueries > 0,
                c + "numQueries=" + numQueries
                        + " must be at least 1: the queries are the only path from image to text");
        require(
                crossAttentionFreq >= 1,
                c + "crossAttentionFreq=" + crossAttentionFreq
                        + " must be >= 1 (1 = cross-attention in every layer, 2 = every other layer)");
        require(visionWidth > 0, c + "visionWidth=" + visionWidth + " must be positive");
        require(vocabSize > 0, c + "vocabSize=" + vocabSize + " must be positive");
        require(maxTextLength > 0, c + "maxTextLength=" + maxTextLength + " must be positive");
        require(
                hiddenDropout >= 0 && hiddenDropout < 1,
                c + "hiddenDropout=" + hiddenDropout + " must be in [0, 1)");
        require(
                attentionDropout >= 0 && attentionDropout < 1,
                c + "attentionDropout=" + attentionDropout + " must be in [0, 1)");
        require(layerNormEps > 0, c + "layerNormEps=" + layerNormEps + " must be positive");
        require(embedDim > 0, c + "embedDim=" + embedDim + " must be positive");
        require(
                initTemperature > 0,
                c + "initTemperature=" + initTemperature + " must be positive (it divides the similarities)");
        require(initializerRange > 0 && initializerRange < 1,
                c + "initializerRange=" + initializerRange + " must be in (0, 1): it is the standard deviation of the"
                        + " initial weights (BERT: 0.02)");
        for (int id : new int[] {padTokenId, clsTokenId, decTokenId}) {
            require(
                    id >= 0 && id < vocabSize,
                    c + "special token id " + id + " (pad/cls/dec) must lie in [0, vocabSize="
                            + vocabSize + ")");
        }
    }

    /** Width of one attention head. */
    public int headSize() {
        return hiddenSize / numHeads;
    }

    /** Whether layer {@code layer} (0-based) has a cross-attention to the image. */
    public boolean hasCrossAttention(int layer) {
        return layer % crossAttentionFreq == 0;
    }

    /** The paper's Q-Former (BERT-base with 32 queries over ViT-g features), for reference sizes. */
    public static QFormerConfig paper() {
        return new QFormerConfig(
                768, 12, 12, 3072, 32, 2, 1408, 30523, 512, 0.1, 0.1, 1e-12, 256, 0.07, 0, 101, 30522);
    }

    /** A tiny Q-Former for tests and teaching: fast on one CPU core. */
    public static QFormerConfig tiny() {
        return new QFormerConfig(32, 2, 4, 64, 4, 2, 24, 50, 16, 0.0, 0.0, 1e-12, 16, 0.07, 0, 1, 2);
    }

    /** The embedded default's scale (the shapes world): hidden 256, 6 layers, 32 queries. */
    public static QFormerConfig embedded() {
        return new QFormerConfig(
                256, 6, 8, 1024, 32, 2, 384, 1000, 32, 0.1, 0.1, 1e-12, 128, 0.07, 0, 1, 2);
    }

    public QFormerConfig withNumQueries(int q) {
        return new QFormerConfig(hiddenSize, numLayers, numHeads, intermediateSize, q,
                crossAttentionFreq, visionWidth, vocabSize, maxTextLength, hiddenDropout,
                attentionDropout, layerNormEps, embedDim, initTemperature, padTokenId, clsTokenId,
                decTokenId, initializerRange);
    }

    public QFormerConfig withVocab(int vocab, int maxText) {
        return new QFormerConfig(hiddenSize, numLayers, numHeads, intermediateSize, numQueries,
                crossAttentionFreq, visionWidth, vocab, maxText, hiddenDropout,
                attentionDropout, layerNormEps, embedDim, initTemperature, padTokenId, clsTokenId,
                decTokenId, initializerRange);
    }

    public QFormerConfig withVisionWidth(int width) {
        return new QFormerConfig(hiddenSize, numLayers, numHeads, intermediateSize, numQueries,
                crossAttentionFreq, width, vocabSize, maxTextLength, hiddenDropout,
                attentionDropout, layerNormEps, embedDim, initTemperature, padTokenId, clsTokenId,
                decTokenId, initializerRange);
    }

    /** This config with {@code hiddenSize} replaced. */
    public QFormerConfig withHiddenSize(int hiddenSize) {
        return toBuilder().hiddenSize(hiddenSize).build();
    }

    /** This config with {@code numLayers} replaced. */
    public QFormerConfig withNumLayers(int numLayers) {
        return toBuilder().numLayers(numLayers).build();
    }

    /** This config with {@code numHeads} replaced. */
    public QFormerConfig withNumHeads(int numHeads) {
        return toBuilder().numHeads(numHeads).build();
    }

    /** This config with {@code intermediateSize} replaced. */
    public QFormerConfig withIntermediateSize(int intermediateSize) {
        return toBuilder().intermediateSize(intermediateSize).build();
    }

    /** This config with {@code crossAttentionFreq} replaced. */
    public QFormerConfig withCrossAttentionFreq(int crossAttentionFreq) {
        return toBuilder().crossAttentionFreq(crossAttentionFreq).build();
    }

    /** This config with {@code vocabSize} replaced. */
    public QFormerConfig withVocabSize(int vocabSize) {
        return toBuilder().vocabSize(vocabSize).build();
    }

    /** This config with {@code maxTextLength} replaced. */
    public QFormerConfig withMaxTextLength(int maxTextLength) {
        return toBuilder().maxTextLength(maxTextLength).build();
    }

    /** This config with {@code hiddenDropout} replaced. */
    public QFormerConfig withHiddenDropout(double hiddenDropout) {
        return toBuilder().hiddenDropout(hiddenDropout).build();
    }

    /** This config with {@code attentionDropout} replaced. */
    public QFormerConfig withAttentionDropout(double attentionDropout) {
        return toBuilder().attentionDropout(attentionDropout).build();
    }

    /** This config with {@code layerNormEps} replaced. */
    public QFormerConfig withLayerNormEps(double layerNormEps) {
        return toBuilder().layerNormEps(layerNormEps).build();
    }

    /** This config with {@code embedDim} replaced. */
    public QFormerConfig withEmbedDim(int embedDim) {
        return toBuilder().embedDim(embedDim).build();
    }

    /** This config with {@code initTemperature} replaced. */
    public QFormerConfig withInitTemperature(double initTemperature) {
        return toBuilder().initTemperature(initTemperature).build();
    }

    /** This config with {@code padTokenId} replaced. */
    public QFormerConfig withPadTokenId(int padTokenId) {
        return toBuilder().padTokenId(padTokenId).build();
    }

    /** This config with {@code clsTokenId} replaced. */
    public QFormerConfig withClsTokenId(int clsTokenId) {
        return toBuilder().clsTokenId(clsTokenId).build();
    }

    /** This config with {@code decTokenId} replaced. */
    public QFormerConfig withDecTokenId(int decTokenId) {
        return toBuilder().decTokenId(decTokenId).build();
    }

    /** This config with {@code initializerRange} replaced. */
    public QFormerConfig withInitializerRange(double initializerRange) {
        return toBuilder().initializerRange(initializerRange).build();
    }

    /** A builder starting from this config: name the fields that change, then {@link Builder#build}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Named construction of a {@link QFormerConfig}: starts from a config, every field has a setter, and the
     * record validates once, in {@link #build} (so fields that must agree can change together).
     */
    public static final class Builder {
        private int hiddenSize;
        private int numLayers;
        private int numHeads;
        private int intermediateSize;
        private int numQueries;
        private int crossAttentionFreq;
        private int visionWidth;
        private int vocabSize;
        private int maxTextLength;
        private double hiddenDropout;
        private double attentionDropout;
        private double layerNormEps;
        private int embedDim;
        private double initTemperature;
        private int padTokenId;
        private int clsTokenId;
        private int decTokenId;
        private double initializerRange;

        private Builder(QFormerConfig c) {
            this.hiddenSize = c.hiddenSize();
            this.numLayers = c.numLayers();
            this.numHeads = c.numHeads();
            this.intermediateSize = c.intermediateSize();
            this.numQueries = c.numQueries();
            this.crossAttentionFreq = c.crossAttentionFreq();
            this.visionWidth = c.visionWidth();
            this.vocabSize = c.vocabSize();
            this.maxTextLength = c.maxTextLength();
            this.hiddenDropout = c.hiddenDropout();
            this.attentionDropout = c.attentionDropout();
            this.layerNormEps = c.layerNormEps();
            this.embedDim = c.embedDim();
            this.initTemperature = c.initTemperature();
            this.padTokenId = c.padTokenId();
            this.clsTokenId = c.clsTokenId();
            this.decTokenId = c.decTokenId();
            this.initializerRange = c.initializerRange();
        }

        public Builder hiddenSize(int hiddenSize) {
            this.hiddenSize = hiddenSize;
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

        public Builder intermediateSize(int intermediateSize) {
            this.intermediateSize = intermediateSize;
            return this;
        }

        public Builder numQueries(int numQueries) {
            this.numQueries = numQueries;
            return this;
        }

        public Builder crossAttentionFreq(int crossAttentionFreq) {
            this.crossAttentionFreq = crossAttentionFreq;
            return this;
        }

        public Builder visionWidth(int visionWidth) {
            this.visionWidth = visionWidth;
            return this;
        }

        public Builder vocabSize(int vocabSize) {
            this.vocabSize = vocabSize;
            return this;
        }

        public Builder maxTextLength(int maxTextLength) {
            this.maxTextLength = maxTextLength;
            return this;
        }

        public Builder hiddenDropout(double hiddenDropout) {
            this.hiddenDropout = hiddenDropout;
            return this;
        }

        public Builder attentionDropout(double attentionDropout) {
            this.attentionDropout = attentionDropout;
            return this;
        }

        public Builder layerNormEps(double layerNormEps) {
            this.layerNormEps = layerNormEps;
            return this;
        }

        public Builder embedDim(int embedDim) {
            this.embedDim = embedDim;
            return this;
        }

        public Builder initTemperature(double initTemperature) {
            this.initTemperature = initTemperature;
            return this;
        }

        public Builder padTokenId(int padTokenId) {
            this.padTokenId = padTokenId;
            return this;
        }

        public Builder clsTokenId(int clsTokenId) {
            this.clsTokenId = clsTokenId;
            return this;
        }

        public Builder decTokenId(int decTokenId) {
            this.decTokenId = decTokenId;
            return this;
        }

        public Builder initializerRange(double initializerRange) {
            this.initializerRange = initializerRange;
            return this;
        }

        public QFormerConfig build() {
            return new QFormerConfig(hiddenSize, numLayers, numHeads, intermediateSize, numQueries, crossAttentionFreq, visionWidth, vocabSize, maxTextLength, hiddenDropout, attentionDropout, layerNormEps, embedDim, initTemperature, padTokenId, clsTokenId, decTokenId, initializerRange);
        }
    }
}
