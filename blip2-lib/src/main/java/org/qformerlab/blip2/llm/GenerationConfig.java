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

    public GenerationConfig withMinNewTokens(int n) {
        return new GenerationConfig(maxNewTokens, n, numBeams, lengthPenalty, doSample, topP, temperature, seed,
                repetitionPenalty, eosTokenId, padTokenId, useCache, outputStepLogits);
    }

    public GenerationConfig withBeams(int beams, double penalty) {
        return new GenerationConfig(maxNewTokens, minNewTokens, beams, penalty, doSample, topP, temperature, seed,
                repetitionPenalty, eosTokenId, padTokenId, useCache, outputStepLogits);
    }

    public GenerationConfig withSampling(double p, double temp, long s) {
        return new GenerationConfig(maxNewTokens, minNewTokens, numBeams, lengthPenalty, true, p, temp, s,
                repetitionPenalty, eosTokenId, padTokenId, useCache, outputStepLogits);
    }

    public GenerationConfig withRepetitionPenalty(double penalty) {
        return new GenerationConfig(maxNewTokens, minNewTokens, numBeams, lengthPenalty, doSample, topP, temperature,
                seed, penalty, eosTokenId, padTokenId, useCache, outputStepLogits);
    }

    public GenerationConfig withCache(boolean cache) {
        return new GenerationConfig(maxNewTokens, minNewTokens, numBeams, lengthPenalty, doSample, topP, temperature,
                seed, repetitionPenalty, eosTokenId, padTokenId, cache, outputStepLogits);
    }

    public GenerationConfig withStepLogits(boolean output) {
        return new GenerationConfig(maxNewTokens, minNewTokens, numBeams, lengthPenalty, doSample, topP, temperature,
                seed, repetitionPenalty, eosTokenId, padTokenId, useCache, output);
    }
}
