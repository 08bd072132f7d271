package org.qformerlab.blip2.llm;

import static org.qformerlab.blip2.config.ConfigException.require;

/**
 * How to decode text from a language model (names and meanings as in Hugging Face's
 * {@code GenerationConfig}). Plain data, validated on construction.
 *
 * @param maxNewTokens at most this many tokens are generated
 * @param minNewTokens EOS is forbidden until this many tokens exist
 * @param numBeams 1 = greedy or sampling; more = beam search with this many beams
 * @param lengthPenalty beam search ranks finished texts by {@code sum log p / length^lengthPenalty}
 *     (above 1 favours longer texts)
 * @param doSample sample instead of taking the most likely token (numBeams must be 1)
 * @param topP nucleus sampling keeps the smallest set of most likely tokens whose probability
 *     reaches topP (1 = no cut; towards 0 = greedy)
 * @param temperature sampling divides the logits by it (below 1 = sharper)
 * @param seed seed of the sampler: the same seed gives the same texts
 * @param repetitionPenalty tokens already generated have positive logits divided and negative
 *     logits multiplied by it (CTRL; 1 = off)
 * @param eosTokenId generation of a row stops after this token; -1 = never stop early
 * @param padTokenId fills rows that stopped while others go on
 * @param useCache keep keys/values of earlier positions (one position of work per token) instead
 *     of recomputing the whole sequence each step; both give the same result
 * @param outputStepLogits also return each step's raw logits (greedy and sampling only)
 */
public record GenerationConfig(
        int maxNewTokens,
        int minNewTokens,
        int numBeams,
        double lengthPenalty,
        boolean doSample,
        double topP,
        double temperature,
        long seed,
        double repetitionPenalty,
        int eosTokenId,
        int padTokenId,
        boolean useCache,
        boolean outputStepLogits) {

    public GenerationConfig {
        String c = "GenerationConfig.";
        require(maxNewTokens >= 1, c + "maxNewTokens=" + maxNewTokens + " must be at least 1");
        require(minNewTokens >= 0 && minNewTokens <= maxNewTokens,
                c + "minNewTokens=" + minNewTokens + " must be in [0, maxNewTokens=" + maxNewTokens + "]");
        require(numBeams >= 1, c + "numBeams=" + numBeams + " must be at least 1 (1 = no beam search)");
        require(!(doSample && numBeams > 1),
                c + "doSample with numBeams=" + numBeams + " is not supported: sample with numBeams=1 or search without sampling");
        require(topP > 0 && topP <= 1, c + "topP=" + topP + " must be in (0, 1] (1 = no nucleus cut)");
        require(temperature > 0, c + "temperature=" + temperature + " must be positive (1 = unchanged logits)");
        require(repetitionPenalty > 0, c + "repetitionPenalty=" + repetitionPenalty + " must be positive (1 = off)");
        require(eosTokenId >= -1, c + "eosTokenId=" + eosTokenId + " must be a token id or -1 (never stop early)");
        require(padTokenId >= 0, c + "padTokenId=" + padTokenId + " must be a token id");
        require(!(outputStepLogits && numBeams > 1),
                c + "outputStepLogits is only defined for one beam: set numBeams=1 or outputStepLogits=false");
    }

    /** Greedy decoding of up to {@code maxNewTokens}, stopping at {@code eos}, with the KV cache. */
    public static GenerationConfig greedy(int maxNewTokens, int eos, int pad) {
        return new GenerationConfig(maxNewTokens, 0, 1, 1.0, false, 1.0, 1.0, 0L, 1.0, eos, pad, true, false);
    }

    /** LAVIS's captioning defaults: 5 beams, 1 to 30 new tokens, length penalty 1. */
    public static GenerationConfig lavisCaptioning(int eos, int pad) {
        return greedy(30, eos, pad).withMinNewTokens(1).withBeams(5, 1.0);
    }

    /** Beam search with {@code beams} beams, finished texts ranked with length penalty {@code penalty}. */
    public GenerationConfig withBeams(int beams, double penalty) {
        return toBuilder().numBeams(beams).lengthPenalty(penalty).build();
    }

    /** Nucleus sampling with top-p {@code p} at temperature {@code temp}, seeded by {@code s}. */
    public GenerationConfig withSampling(double p, double temp, long s) {
        return toBuilder().doSample(true).topP(p).temperature(temp).seed(s).build();
    }

    /** The same as {@link #withUseCache}. */
    public GenerationConfig withCache(boolean cache) {
        return withUseCache(cache);
    }

    /** The same as {@link #withOutputStepLogits}. */
    public GenerationConfig withStepLogits(boolean output) {
        return withOutputStepLogits(output);
    }

    /** This config with {@code maxNewTokens} replaced. */
    public GenerationConfig withMaxNewTokens(int maxNewTokens) {
        return toBuilder().maxNewTokens(maxNewTokens).build();
    }

    /** This config with {@code minNewTokens} replaced. */
    public GenerationConfig withMinNewTokens(int minNewTokens) {
        return toBuilder().minNewTokens(minNewTokens).build();
    }

    /** This config with {@code numBeams} replaced. */
    public GenerationConfig withNumBeams(int numBeams) {
        return toBuilder().numBeams(numBeams).build();
    }

    /** This config with {@code lengthPenalty} replaced. */
    public GenerationConfig withLengthPenalty(double lengthPenalty) {
        return toBuilder().lengthPenalty(lengthPenalty).build();
    }

    /** This config with {@code doSample} replaced. */
    public GenerationConfig withDoSample(boolean doSample) {
        return toBuilder().doSample(doSample).build();
    }

    /** This config with {@code topP} replaced. */
    public GenerationConfig withTopP(double topP) {
        return toBuilder().topP(topP).build();
    }

    /** This config with {@code temperature} replaced. */
    public GenerationConfig withTemperature(double temperature) {
        return toBuilder().temperature(temperature).build();
    }

    /** This config with {@code seed} replaced. */
    public GenerationConfig withSeed(long seed) {
        return toBuilder().seed(seed).build();
    }

    /** This config with {@code repetitionPenalty} replaced. */
    public GenerationConfig withRepetitionPenalty(double repetitionPenalty) {
        return toBuilder().repetitionPenalty(repetitionPenalty).build();
    }

    /** This config with {@code eosTokenId} replaced. */
    public GenerationConfig withEosTokenId(int eosTokenId) {
        return toBuilder().eosTokenId(eosTokenId).build();
    }

    /** This config with {@code padTokenId} replaced. */
    public GenerationConfig withPadTokenId(int padTokenId) {
        return toBuilder().padTokenId(padTokenId).build();
    }

    /** This config with {@code useCache} replaced. */
    public GenerationConfig withUseCache(boolean useCache) {
        return toBuilder().useCache(useCache).build();
    }

    /** This config with {@code outputStepLogits} replaced. */
    public GenerationConfig withOutputStepLogits(boolean outputStepLogits) {
        return toBuilder().outputStepLogits(outputStepLogits).build();
    }

    /** A builder starting from this config: name the fields that change, then {@link Builder#build}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Named construction of a {@link GenerationConfig}: starts from a config, every field has a setter, and the
     * record validates once, in {@link #build} (so fields that must agree can change together).
     */
    public static final class Builder {
        private int maxNewTokens;
        private int minNewTokens;
        private int numBeams;
        private double lengthPenalty;
        private boolean doSample;
        private double topP;
        private double temperature;
        private long seed;
        private double repetitionPenalty;
        private int eosTokenId;
        private int padTokenId;
        private boolean useCache;
        private boolean outputStepLogits;

        private Builder(GenerationConfig c) {
            this.maxNewTokens = c.maxNewTokens();
            this.minNewTokens = c.minNewTokens();
            this.numBeams = c.numBeams();
            this.lengthPenalty = c.lengthPenalty();
            this.doSample = c.doSample();
            this.topP = c.topP();
            this.temperature = c.temperature();
            this.seed = c.seed();
            this.repetitionPenalty = c.repetitionPenalty();
            this.eosTokenId = c.eosTokenId();
            this.padTokenId = c.padTokenId();
            this.useCache = c.useCache();
            this.outputStepLogits = c.outputStepLogits();
        }

        public Builder maxNewTokens(int maxNewTokens) {
            this.maxNewTokens = maxNewTokens;
            return this;
        }

        public Builder minNewTokens(int minNewTokens) {
            this.minNewTokens = minNewTokens;
            return this;
        }

        public Builder numBeams(int numBeams) {
            this.numBeams = numBeams;
            return this;
        }

        public Builder lengthPenalty(double lengthPenalty) {
            this.lengthPenalty = lengthPenalty;
            return this;
        }

        public Builder doSample(boolean doSample) {
            this.doSample = doSample;
            return this;
        }

        public Builder topP(double topP) {
            this.topP = topP;
            return this;
        }

        public Builder temperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder repetitionPenalty(double repetitionPenalty) {
            this.repetitionPenalty = repetitionPenalty;
            return this;
        }

        public Builder eosTokenId(int eosTokenId) {
            this.eosTokenId = eosTokenId;
            return this;
        }

        public Builder padTokenId(int padTokenId) {
            this.padTokenId = padTokenId;
            return this;
        }

        public Builder useCache(boolean useCache) {
            this.useCache = useCache;
            return this;
        }

        public Builder outputStepLogits(boolean outputStepLogits) {
            this.outputStepLogits = outputStepLogits;
            return this;
        }

        public GenerationConfig build() {
            return new GenerationConfig(maxNewTokens, minNewTokens, numBeams, lengthPenalty, doSample, topP, temperature, seed, repetitionPenalty, eosTokenId, padTokenId, useCache, outputStepLogits);
        }
    }
}
