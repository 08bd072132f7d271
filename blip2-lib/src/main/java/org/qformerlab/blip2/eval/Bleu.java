package org.qformerlab.blip2.eval;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Corpus-level BLEU (Papineni et al. 2002), as reported for captioning (BLEU-4):
 *
 * <pre>
 *   p_n  = sum over captions of clipped n-gram matches / sum of candidate n-grams   (n = 1..N)
 *          (a candidate n-gram counts at most as often as it occurs in any single reference)
 *   BP   = 1 if c > r, else exp(1 - r / c)
 *          c = total candidate length, r = sum of the reference lengths closest to each candidate
 *          (the shorter one on a tie)
 *   BLEU = BP * exp(mean_n log p_n)
 * </pre>
 *
 * No smoothing: a corpus without any matching n-gram of some order scores 0. (The COCO
 * evaluation adds 1e-15 / 1e-9 to each ratio, which changes nothing visible.)
 */
public final class Bleu {

    /** The score and its parts: precisions p_1..p_N, brevity penalty, lengths c and r. */
    public record Score(double bleu, double[] precisions, double brevityPenalty, int candidateLength, int referenceLength) {}

    private Bleu() {}

    /** BLEU-4 of captions against their references (already split into words). */
    public static Score corpus(List<List<String>> candidates, List<List<List<String>>> references) {
        return corpus(candidates, references, 4);
    }

    public static Score corpus(List<List<String>> candidates, List<List<List<String>>> references, int maxOrder) {
        CaptionMetrics.checkAligned(candidates.size(), references);
        long[] matches = new long[maxOrder];
        long[] totals = new long[maxOrder];
        int c = 0;
        int r = 0;
        for (int i = 0; i < candidates.size(); i++) {
            List<String> cand = candidates.get(i);
            List<List<String>> refs = references.get(i);
            c += cand.size();
            r += closestLength(cand.size(), refs);
            for (int n = 1; n <= maxOrder; n++) {
                Map<String, Integer> maxRef = new HashMap<>();
                for (List<String> ref : refs) {
                    NGrams.count(ref, n).forEach((g, k) -> maxRef.merge(g, k, Math::max));
                }
                for (Map.Entry<String, Integer> e : NGrams.count(cand, n).entrySet()) {
                    matches[n - 1] += Math.min(e.getValue(), maxRef.getOrDefault(e.getKey(), 0));
                    totals[n - 1] += e.getValue();
                }
            }
        }
        double[] p = new double[maxOrder];
        double logSum = 0;
        for (int n = 0; n < maxOrder; n++) {
            p[n] = totals[n] == 0 ? 0 : (double) matches[n] / totals[n];
            logSum += Math.log(p[n]);
        }
        double bp = c == 0 ? 0 : c > r ? 1 : Math.exp(1 - (double) r / c);
        double bleu = logSum == Double.NEGATIVE_INFINITY ? 0 : bp * Math.exp(logSum / maxOrder);
        return new Score(bleu, p, bp, c, r);
    }

    /** BLEU-4 of caption strings (lower-cased, punctuation removed, split on spaces). */
    public static Score corpusOfStrings(List<String> candidates, List<List<String>> references) {
        return corpus(CaptionMetrics.words(candidates), CaptionMetrics.wordsOfReferences(references));
    }

    private static int closestLength(int length, List<List<String>> refs) {
        int best = -1;
        for (List<String> ref : refs) {
            int d = Math.abs(ref.size() - length);
            if (best < 0 || d < Math.abs(best - length) || (d == Math.abs(best - length) && ref.size() < best)) {
                best = ref.size();
            }
        }
        return best;
    }
}
