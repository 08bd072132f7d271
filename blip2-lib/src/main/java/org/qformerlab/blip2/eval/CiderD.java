package org.qformerlab.blip2.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CIDEr-D (Vedantam et al. 2015), the captioning metric of the COCO evaluation
 * ({@code pycocoevalcap/cider}), computed over a corpus of images:
 *
 * <ol>
 *   <li>every caption becomes, for n = 1..4, a vector of TF-IDF weights
 *       {@code g(w) = count(w) * (log |images| - log max(1, df(w)))}, where df(w) is the number of
 *       images whose references contain n-gram w: n-grams every image has carry no information;
 *   <li>for each reference, per n: the cosine of candidate and reference vectors with the
 *       candidate's weights clipped at the reference's ({@code sum min(g_c, g_r) * g_r / (|g_c| |g_r|)}),
 *       times a Gaussian length penalty {@code exp(-(l_c - l_r)^2 / (2 * 6^2))};
 *   <li>an image's score is the mean over n, averaged over its references, times 10; the corpus
 *       score is the mean over images.
 * </ol>
 *
 * Lengths are counted as the COCO code counts them (bigrams, i.e. words - 1: their difference is
 * the difference in words).
 */
public final class CiderD {

    private static final int ORDERS = 4;
    private static final double SIGMA = 6.0;

    /** The corpus score and each image's score. */
    public record Score(double cider, double[] perImage) {}

    private CiderD() {}

    public static Score corpus(List<List<String>> candidates, List<List<List<String>>> references) {
        CaptionMetrics.checkAligned(candidates.size(), references);
        Map<String, Integer> df = new HashMap<>();
        for (List<List<String>> refs : references) {
            Set<String> seen = new HashSet<>();
            for (List<String> ref : refs) {
                for (int n = 1; n <= ORDERS; n++) {
                    seen.addAll(NGrams.count(ref, n).keySet());
                }
            }
            seen.forEach(g -> df.merge(g, 1, Integer::sum));
        }
        double logImages = Math.log(candidates.size());
        double[] perImage = new double[candidates.size()];
        double sum = 0;
        for (int i = 0; i < candidates.size(); i++) {
            Vector cand = new Vector(candidates.get(i), df, logImages);
            double[] score = new double[ORDERS];
            for (List<String> ref : references.get(i)) {
                double[] s = similarity(cand, new Vector(ref, df, logImages));
                for (int n = 0; n < ORDERS; n++) {
                    score[n] += s[n];
                }
            }
            double mean = 0;
            for (double s : score) {
                mean += s / ORDERS;
            }
            perImage[i] = mean / references.get(i).size() * 10.0;
            sum += perImage[i];
        }
        return new Score(candidates.isEmpty() ? 0 : sum / candidates.size(), perImage);
    }

    /** CIDEr-D of caption strings (lower-cased, punctuation removed, split on spaces). */
    public static Score corpusOfStrings(List<String> candidates, List<List<String>> references) {
        return corpus(CaptionMetrics.words(candidates), CaptionMetrics.wordsOfReferences(references));
    }

    /** One caption's TF-IDF vectors per order, their norms, and its length. */
    private static final class Vector {
        final List<Map<String, Double>> weights = new ArrayList<>();
        final double[] norms = new double[ORDERS];
        final int length;

        Vector(List<String> words, Map<String, Integer> df, double logImages) {
            for (int n = 1; n <= ORDERS; n++) {
                Map<String, Double> w = new HashMap<>();
                double sq = 0;
                for (Map.Entry<String, Integer> e : NGrams.count(words, n).entrySet()) {
                    double g = e.getValue() * (logImages - Math.log(Math.max(1.0, df.getOrDefault(e.getKey(), 0))));
                    w.put(e.getKey(), g);
                    sq += g * g;
                }
                weights.add(w);
                norms[n - 1] = Math.sqrt(sq);
            }
            this.length = Math.max(0, words.size() - 1);
        }
    }

    private static double[] similarity(Vector cand, Vector ref) {
        double delta = cand.length - ref.length;
        double penalty = Math.exp(-(delta * delta) / (2 * SIGMA * SIGMA));
        double[] val = new double[ORDERS];
        for (int n = 0; n < ORDERS; n++) {
            Map<String, Double> r = ref.weights.get(n);
            for (Map.Entry<String, Double> e : cand.weights.get(n).entrySet()) {
                double gr = r.getOrDefault(e.getKey(), 0.0);
                val[n] += Math.min(e.getValue(), gr) * gr;
            }
            if (cand.norms[n] != 0 && ref.norms[n] != 0) {
                val[n] /= cand.norms[n] * ref.norms[n];
            }
            val[n] *= penalty;
        }
        return val;
    }
}
