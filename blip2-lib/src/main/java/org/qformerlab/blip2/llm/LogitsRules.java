package org.qformerlab.blip2.llm;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.random.RandomGenerator;

/**
 * The per-step rules of decoding, applied to one row's logits (a float per vocabulary entry) in
 * Hugging Face's order: repetition penalty, minimum length, then (sampling) temperature and the
 * nucleus cut.
 */
final class LogitsRules {

    private LogitsRules() {}

    /** CTRL's repetition penalty: a seen token's logit is divided by p when positive, multiplied when negative. */
    static void penalizeRepeats(float[] logits, Collection<Long> seen, double p) {
        if (p == 1.0) {
            return;
        }
        for (long token : new HashSet<>(seen)) {
            int v = (int) token;
            logits[v] = (float) (logits[v] < 0 ? logits[v] * p : logits[v] / p);
        }
    }

    /** Forbids EOS (before the minimum length). */
    static void forbid(float[] logits, int token) {
        if (token >= 0) {
            logits[token] = Float.NEGATIVE_INFINITY;
        }
    }

    /** The most likely token; the lowest id among ties. */
    static int argmax(float[] logits) {
        int best = 0;
        for (int v = 1; v < logits.length; v++) {
            if (logits[v] > logits[best]) {
                best = v;
            }
        }
        return best;
    }

    /** log softmax in double precision. */
    static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        double logZ = max + Math.log(sum);
        double[] out = new double[logits.length];
        for (int v = 0; v < logits.length; v++) {
            out[v] = logits[v] - logZ;
        }
        return out;
    }

    /**
     * Nucleus sampling (Holtzman et al. 2020): softmax(logits / temperature), keep the most likely
     * tokens until their probability reaches {@code topP} (at least one), renormalise, draw.
     */
    static int sampleNucleus(float[] logits, double temperature, double topP, RandomGenerator rng) {
        int n = logits.length;
        float[] scaled = new float[n];
        for (int v = 0; v < n; v++) {
            scaled[v] = (float) (logits[v] / temperature);
        }
        double[] logp = logSoftmax(scaled);
        Integer[] order = new Integer[n];
        for (int v = 0; v < n; v++) {
            order[v] = v;
        }
        Arrays.sort(order, (a, b) -> logp[a] != logp[b] ? Double.compare(logp[b], logp[a]) : Integer.compare(a, b));
        int kept = 0;
        double mass = 0;
        while (kept < n && (kept == 0 || mass < topP)) {
            mass += Math.exp(logp[order[kept]]);
            kept++;
        }
        double u = rng.nextDouble() * mass;
        double acc = 0;
        for (int i = 0; i < kept; i++) {
            acc += Math.exp(logp[order[i]]);
            if (u < acc) {
                return order[i];
            }
        }
        return order[kept - 1];
    }
}
