package org.qformerlab.blip2.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** BLEU-4 and CIDEr-D against values computed by hand (the computation is in the comments). */
class CaptionMetricsTest {

    private static final double EPS = 1e-9;

    @Test
    void bleu4OfATwoCaptionCorpus() {
        // 1: "the cat sat on the mat"    vs "the cat is on the mat"
        //    1-grams 5/6 (sat misses), 2-grams 3/5 (the cat, on the, the mat), 3-grams 1/4 (on the mat), 4-grams 0/3
        // 2: "a dog runs in the park"    vs "a dog runs in a park"
        //    1-grams 5/6 (the misses), 2-grams 3/5, 3-grams 2/4 (a dog runs, dog runs in), 4-grams 1/3
        // corpus: p = 10/12, 6/10, 3/8, 1/6; c = r = 12 so BP = 1
        // BLEU = (10/12 * 6/10 * 3/8 * 1/6)^(1/4) = (1/32)^(1/4) = 2^(-5/4) = 0.420448207626857
        Bleu.Score s = Bleu.corpusOfStrings(
                List.of("the cat sat on the mat", "a dog runs in the park"),
                List.of(List.of("the cat is on the mat"), List.of("a dog runs in a park")));
        assertArrayEquals(new double[] {10.0 / 12, 6.0 / 10, 3.0 / 8, 1.0 / 6}, s.precisions(), EPS);
        assertEquals(1.0, s.brevityPenalty(), EPS);
        assertEquals(Math.pow(2, -5.0 / 4), s.bleu(), EPS);
    }

    @Test
    void bleuBrevityPenaltyClippingAndClosestReference() {
        // the corpus above plus 3: "a red ball" vs "a red ball on the grass": 1/2/3-grams all match
        // (3/3, 2/2, 1/1), no 4-gram. p = 13/15, 8/12, 4/9, 1/6; c = 15, r = 18: BP = exp(1 - 18/15) = exp(-0.2)
        // BLEU = exp(-0.2) * (13/15 * 8/12 * 4/9 * 1/6)^(1/4) = 0.818730753 * 0.454839 = 0.372389879899726
        Bleu.Score s = Bleu.corpusOfStrings(
                List.of("the cat sat on the mat", "a dog runs in the park", "A red ball."),
                List.of(List.of("the cat is on the mat"), List.of("a dog runs in a park"), List.of("a red ball on the grass")));
        assertEquals(Math.exp(-0.2), s.brevityPenalty(), EPS);
        assertEquals(Math.exp(-0.2) * Math.pow(13.0 / 15 * 8 / 12 * 4 / 9 / 6, 0.25), s.bleu(), EPS);
        assertEquals(0.372389879899726, s.bleu(), 1e-12);

        // clipping: "the the the the" vs {"the cat", "the the dog"}: "the" counts at most 2 times (its
        // most in one reference): p1 = 2/4; "the the" at most once: p2 = 1/3. r = 3 (closest to 4 of 2, 3).
        Bleu.Score clip = Bleu.corpusOfStrings(List.of("the the the the"), List.of(List.of("the cat", "the the dog")));
        assertEquals(0.5, clip.precisions()[0], EPS);
        assertEquals(1.0 / 3, clip.precisions()[1], EPS);
        assertEquals(3, clip.referenceLength());
        assertEquals(0.0, clip.bleu(), EPS); // no 3-gram matches: BLEU-4 is 0 without smoothing
        // a tie between reference lengths 5 and 7 for a candidate of 6 takes the shorter
        Bleu.Score tie = Bleu.corpusOfStrings(List.of("a b c d e f"), List.of(List.of("a b c d e", "a b c d e f g")));
        assertEquals(5, tie.referenceLength());
    }

    @Test
    void ciderDIdenticalAndPartialCaptions() {
        // two images; df = 1 for every reference n-gram, |images| = 2, so every n-gram of a reference
        // (and every unseen one: max(1, 0) = 1) weighs log 2: the vectors are counts times log 2.
        // A: "a b" vs "a b": cosine 1 for n = 1, 2; no 3-, 4-grams (0); mean 2/4; x10 = 5
        // B: "c e" vs "c d": n = 1: (c) log2^2 / (sqrt2 log2 * sqrt2 log2) = 1/2; n = 2: 0; mean (1/2)/4; x10 = 1.25
        // corpus: (5 + 1.25) / 2 = 3.125
        CiderD.Score s = CiderD.corpusOfStrings(List.of("a b", "c e"), List.of(List.of("a b"), List.of("c d")));
        assertArrayEquals(new double[] {5.0, 1.25}, s.perImage(), EPS);
        assertEquals(3.125, s.cider(), EPS);
    }

    @Test
    void ciderDLengthPenaltyClippingAndInformativeNgrams() {
        // A: "a b" vs "a b c d e f g h" (uniform weights as above). n = 1: 2 / (sqrt2 * sqrt8) = 1/2;
        // n = 2: 1 / (1 * sqrt7); lengths 1 vs 7 bigrams: penalty exp(-36 / 72) = exp(-0.5).
        // score = (1/2 + 1/sqrt7) * exp(-0.5) / 4 * 10 = 1.33128092754635; B: "x y" vs "x y" = 5
        CiderD.Score len = CiderD.corpusOfStrings(List.of("a b", "x y"), List.of(List.of("a b c d e f g h"), List.of("x y")));
        assertEquals((0.5 + 1 / Math.sqrt(7)) * Math.exp(-0.5) / 4 * 10, len.perImage()[0], EPS);
        assertEquals(3.165640463773176, len.cider(), 1e-12);

        // clipping: "a a" vs "a b": candidate weight of a is 2w but counts only up to the reference's w:
        // n = 1: min(2w, w) * w / (2w * sqrt2 w) = 1 / (2 sqrt2); n = 2: 0. score = 0.353553 / 4 * 10 = 0.883883476
        CiderD.Score clip = CiderD.corpusOfStrings(List.of("a a", "c d"), List.of(List.of("a b"), List.of("c d")));
        assertEquals(1 / (2 * Math.sqrt(2)) / 4 * 10, clip.perImage()[0], EPS);

        // IDF: "a" is in the references of both images, so its weight is log 2 - log 2 = 0.
        // A: "a b" vs refs {"a b", "a c"}: ref 1: n = 1: (b) w^2 / (w * w) = 1, n = 2: 1; ref 2: nothing
        // but "a" (weight 0) in common: 0. Mean over n (1 + 1) / 4 = 0.5, over 2 references 0.25, x10 = 2.5
        // B: "x y" vs "a d": nothing informative in common: 0. Corpus 1.25.
        CiderD.Score idf = CiderD.corpusOfStrings(List.of("a b", "x y"), List.of(List.of("a b", "a c"), List.of("a d")));
        assertArrayEquals(new double[] {2.5, 0.0}, idf.perImage(), EPS);
        assertEquals(1.25, idf.cider(), EPS);
    }

    @Test
    void wordsAndMisalignedInputs() {
        assertEquals(List.of("a", "dog's", "ball", "2"), CaptionMetrics.words("A dog's ball, 2!"));
        var e = assertThrows(IllegalArgumentException.class,
                () -> CiderD.corpusOfStrings(List.of("a"), List.of(List.of("a"), List.of("b"))));
        assertTrue(e.getMessage().contains("1 candidate captions but 2 reference sets"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Bleu.corpusOfStrings(List.of("a"), List.of(List.of())));
        assertTrue(e.getMessage().contains("no reference caption"), e.getMessage());
    }
}
