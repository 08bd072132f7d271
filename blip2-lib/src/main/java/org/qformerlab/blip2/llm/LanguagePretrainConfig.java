package org.qformerlab.blip2.llm;

import static org.qformerlab.blip2.config.ConfigException.require;
import org.qformerlab.blip2.train.TrainConfig;

/**
 * The embedded default's frozen language model: an OPT (or a T5) of this shape, pretrained once on
 * the text of the training split alone ({@link LanguagePretraining}) before stage 2 ever shows it an
 * image. The vocabulary is not a field: it is the word tokenizer's, built from the same text.
 *
 * @param family {@link LanguageFamily#OPT} (decoder-only, the default when absent) or
 *     {@link LanguageFamily#T5} (encoder-decoder: {@code numLayers} encoder and {@code numLayers}
 *     decoder blocks of this width, pretrained as a prefix LM: the encoder reads the start of a
 *     window of text, the decoder writes the next 16 tokens; give it 8 heads: with the embedded
 *     4 it cannot tell where its encoder's text ends, study 11). Only the OPT is shipped; a T5 is pretrained
 *     into the cache the first time a run needs it (per step about 2.4 times an OPT's of the same
 *     recipe, measured on the tiny recipe: 5.6 s against 2.4 s for 60 steps)
 * @param hiddenSize width D of the decoder
 * @param ffnDim width of the feed-forward block (OPT: 4D)
 * @param numLayers decoder layers
 * @param numHeads attention heads; must divide hiddenSize
 * @param maxPositions the longest sequence the LM reads (soft prompt + text in stage 2); pretraining
 *     packs texts into windows of exactly this length, so every position is trained (T5 has
 *     relative positions and no such limit; the same bound keeps its texts as long as OPT's)
 * @param steps optimiser steps of pretraining
 * @param batchSize windows per step
 * @param learningRate peak AdamW learning rate (warm-up, then cosine decay to a tenth)
 * @param warmupSteps linear warm-up steps
 * @param weightDecay AdamW's decoupled weight decay
 * @param seed seeds the initialisation and the order of the texts
 * @param logEvery print a progress line every this many steps
 */
public record LanguagePretrainConfig(
        LanguageFamily family,
        int hiddenSize,
        int ffnDim,
        int numLayers,
        int numHeads,
        int maxPositions,
        int steps,
        int batchSize,
        double learningRate,
        int warmupSteps,
        double weightDecay,
        long seed,
        int logEvery) {

    public LanguagePretrainConfig {
        String c = "LanguagePretrainConfig.";
        family = family == null ? LanguageFamily.OPT : family;
        require(hiddenSize > 0, c + "hiddenSize=" + hiddenSize + " must be positive");
        require(ffnDim > 0, c + "ffnDim=" + ffnDim + " must be positive (OPT uses 4 * hiddenSize)");
        require(numLayers > 0, c + "numLayers=" + numLayers + " must be at least 1");
        require(numHeads > 0 && hiddenSize % numHeads == 0,
                c + "numHeads=" + numHeads + " must be positive and divide hiddenSize=" + hiddenSize);
        require(maxPositions >= 8, c + "maxPositions=" + maxPositions
                + " must be at least 8: it bounds soft prompt + text; take numQueries + the longest text + 2");
        TrainConfig.requireSchedule(c, steps, batchSize, learningRate, warmupSteps, weightDecay);
        require(logEvery > 0, c + "logEvery=" + logEvery + " must be at least 1");
    }

    /**
     * The embedded default: hidden 128, 3 layers, 64 positions (16 queries + the longest text
     * fit), 1500 steps of 64 windows on {@link org.qformerlab.blip2.data.LanguageCorpus} (about 6M
     * tokens, two passes over its 3M), next-token loss 3.48 -> 0.84 (uniform: ln 116 = 4.75). The
     * library ships this model ({@code ./qformerlab pretrain language --set
     * "stage2.language.steps=1500;stage2.language.batchSize=64"} made it before this became the
     * preset: 1028 s on a loaded two-core machine), so no run pretrains it.
     *
     * <p>Its reading ({@link org.qformerlab.blip2.experiment.evaluation.CaptionReading}, the first 300 test
     * images, the true captions before each question): colour 0.724, shape 0.752, size 0.520, count
     * 0.880, relation 0.495, and 0.478 on the 159 relation questions that the captions settle;
     * majority answers 0.198, 0.248, 0.497, 0.787, 0.500. Half the tokens (1500 steps of 32 windows,
     * 402 s, the same world and questions) read colour 0.515, shape 0.731, size 0.467, count 0.843,
     * relation 0.533 (0.566 settled); for the earlier world of 300 test images they had read colour
     * 0.662, shape 0.759, size 0.503, count 0.913, relation 0.524 (0.509 settled). Doubling the text
     * bought colour, a little shape and count, and nothing on size or relation. The LM that the corpus
     * replaced (3000 steps of 64 windows on the training captions grouped by image) read colour
     * 0.761, shape 0.822, size 0.740, count 0.900, relation 0.467. None reads a relation, and
     * neither corpus-trained LM reads a size.
     */
    public static LanguagePretrainConfig embedded() {
        return new LanguagePretrainConfig(LanguageFamily.OPT, 128, 512, 3, 4, 64, 1500, 64, 3e-3, 10, 0.01, 0, 100);
    }

    /** Seconds on a tiny world: for tests. */
    public static LanguagePretrainConfig tiny() {
        return new LanguagePretrainConfig(LanguageFamily.OPT, 32, 64, 2, 4, 48, 60, 16, 1e-2, 5, 0.0, 0, 20);
    }

    /** The OPT that realises this shape over a vocabulary of {@code vocabSize} (pad, BOS/EOS ids given). */
    public OptConfig opt(int vocabSize, int padTokenId, int eosTokenId) {
        return new OptConfig(vocabSize, hiddenSize, ffnDim, numLayers, numHeads, maxPositions, padTokenId, eosTokenId,
                eosTokenId, 1e-5, 0.0, true);
    }

    /**
     * The T5 that realises this shape ({@code family = T5}): {@code numLayers} encoder and decoder
     * blocks, heads of width hiddenSize / numHeads, T5's 32 relative-position buckets up to distance
     * 128, no dropout (the LM is frozen in stage 2), an LM head of its own (untied, as FlanT5's). The
     * decoder starts from the padding id.
     */
    public T5Config t5(int vocabSize, int padTokenId, int eosTokenId) {
        return new T5Config(vocabSize, hiddenSize, hiddenSize / numHeads, ffnDim, numLayers, numLayers, numHeads, 32,
                128, 1e-6, 0.0, padTokenId, eosTokenId, false);
    }

    /** This recipe for another family of LM ({@code stage2.language.family}). */
    public LanguagePretrainConfig withFamily(LanguageFamily family) {
        return toBuilder().family(family).build();
    }

    /** This config with {@code hiddenSize} replaced. */
    public LanguagePretrainConfig withHiddenSize(int hiddenSize) {
        return toBuilder().hiddenSize(hiddenSize).build();
    }

    /** This config with {@code ffnDim} replaced. */
    public LanguagePretrainConfig withFfnDim(int ffnDim) {
        return toBuilder().ffnDim(ffnDim).build();
    }

    /** This config with {@code numLayers} replaced. */
    public LanguagePretrainConfig withNumLayers(int numLayers) {
        return toBuilder().numLayers(numLayers).build();
    }

    /** This config with {@code numHeads} replaced. */
    public LanguagePretrainConfig withNumHeads(int numHeads) {
        return toBuilder().numHeads(numHeads).build();
    }

    /** This config with {@code maxPositions} replaced. */
    public LanguagePretrainConfig withMaxPositions(int maxPositions) {
        return toBuilder().maxPositions(maxPositions).build();
    }

    /** This config with {@code steps} replaced. */
    public LanguagePretrainConfig withSteps(int steps) {
        return toBuilder().steps(steps).build();
    }

    /** This config with {@code batchSize} replaced. */
    public LanguagePretrainConfig withBatchSize(int batchSize) {
        return toBuilder().batchSize(batchSize).build();
    }

    /** This config with {@code learningRate} replaced. */
    public LanguagePretrainConfig withLearningRate(double learningRate) {
        return toBuilder().learningRate(learningRate).build();
    }

    /** This config with {@code warmupSteps} replaced. */
    public LanguagePretrainConfig withWarmupSteps(int warmupSteps) {
        return toBuilder().warmupSteps(warmupSteps).build();
    }

    /** This config with {@code weightDecay} replaced. */
    public LanguagePretrainConfig withWeightDecay(double weightDecay) {
        return toBuilder().weightDecay(weightDecay).build();
    }

    /** This config with {@code seed} replaced. */
    public LanguagePretrainConfig withSeed(long seed) {
        return toBuilder().seed(seed).build();
    }

    /** This config with {@code logEvery} replaced. */
    public LanguagePretrainConfig withLogEvery(int logEvery) {
        return toBuilder().logEvery(logEvery).build();
    }

    /** A builder starting from this config: name the fields that change, then {@link Builder#build}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Named construction of a {@link LanguagePretrainConfig}: starts from a config, every field has a setter, and the
     * record validates once, in {@link #build} (so fields that must agree can change together).
     */
    public static final class Builder {
        private LanguageFamily family;
        private int hiddenSize;
        private int ffnDim;
        private int numLayers;
        private int numHeads;
        private int maxPositions;
        private int steps;
        private int batchSize;
        private double learningRate;
        private int warmupSteps;
        private double weightDecay;
        private long seed;
        private int logEvery;

        private Builder(LanguagePretrainConfig c) {
            this.family = c.family();
            this.hiddenSize = c.hiddenSize();
            this.ffnDim = c.ffnDim();
            this.numLayers = c.numLayers();
            this.numHeads = c.numHeads();
            this.maxPositions = c.maxPositions();
            this.steps = c.steps();
            this.batchSize = c.batchSize();
            this.learningRate = c.learningRate();
            this.warmupSteps = c.warmupSteps();
            this.weightDecay = c.weightDecay();
            this.seed = c.seed();
            this.logEvery = c.logEvery();
        }

        public Builder family(LanguageFamily family) {
            this.family = family;
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

        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder learningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        public Builder warmupSteps(int warmupSteps) {
            this.warmupSteps = warmupSteps;
            return this;
        }

        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder logEvery(int logEvery) {
            this.logEvery = logEvery;
            return this;
        }

        public LanguagePretrainConfig build() {
            return new LanguagePretrainConfig(family, hiddenSize, ffnDim, numLayers, numHeads, maxPositions, steps, batchSize, learningRate, warmupSteps, weightDecay, seed, logEvery);
        }
    }
}
