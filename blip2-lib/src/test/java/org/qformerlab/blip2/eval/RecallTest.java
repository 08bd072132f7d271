package org.qformerlab.blip2.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Recall@k against values worked out by hand. */
class RecallTest {

    /** Three images; texts 0,1 belong to image 0, text 2 to image 1, texts 3,4 to image 2. */
    static final int[] OWNERS = {0, 0, 1, 2, 2};

    /**
     * scores[image][text]. Image rows, best texts first:
     * image 0: t2 (0.9) > t1 (0.8) > ...    -> best own caption (t1) at rank 1
     * image 1: t2 (0.7) > ...               -> rank 0
     * image 2: t0 (0.6) > t1 (0.5) > t2 (0.4) > t4 (0.3) > t3 (0.1) -> best own (t4) at rank 3
     * Text columns, best images first:
     * t0: i2 (0.6) > i0 (0.2) > i1 (0.1)    -> own image i0 at rank 1
     * t1: i0 (0.8) > i2 (0.5) > i1 (0.0)    -> rank 0
     * t2: i0 (0.9) > i1 (0.7) > i2 (0.4)    -> rank 1
     * t3: i0 (0.3) > i2 (0.1) > i1 (0.05)   -> rank 1
     * t4: i2 (0.3) > i0 (0.25) > i1 (0.2)   -> rank 0
     */
    static final float[][] SCORES = {
        {0.2f, 0.8f, 0.9f, 0.3f, 0.25f},
        {0.1f, 0.0f, 0.7f, 0.05f, 0.2f},
        {0.6f, 0.5f, 0.4f, 0.1f, 0.3f},
    };

    @Test
    void recallCountsAnyOwnCaptionForImagesAndTheOwnImageForTexts() {
        Recall r = Recall.of(SCORES, null, OWNERS, new int[] {1, 2, 3, 4});
        // image ranks 1, 0, 3 -> hits at k=1: 1 of 3; k=2: 2; k=3: 2; k=4: 3
        assertArrayEquals(new double[] {1 / 3.0, 2 / 3.0, 2 / 3.0, 1.0}, r.imageToText(), 1e-12);
        // text ranks 1, 0, 1, 1, 0 -> k=1: 2 of 5; k>=2: all
        assertArrayEquals(new double[] {2 / 5.0, 1.0, 1.0, 1.0}, r.textToImage(), 1e-12);
        assertEquals(2 / 5.0, r.textToImage(1), 1e-12);
    }

    @Test
    void tiesCountAgainstTheTrueMatchUnlessTheTiebreakDecides() {
        float[][] flat = {{1, 1}, {1, 1}}; // a model that scores everything alike
        int[] owners = {0, 1};
        Recall r = Recall.of(flat, null, owners, new int[] {1, 2});
        assertArrayEquals(new double[] {0, 1}, r.imageToText(), 1e-12);
        assertArrayEquals(new double[] {0, 1}, r.textToImage(), 1e-12);
        // a re-ranked matrix: only the top-1 re-scored, the rest -inf and ordered by ITC
        float ninf = Float.NEGATIVE_INFINITY;
        float[][] reranked = {{ninf, 2f}, {ninf, ninf}};
        float[][] itc = {{0.9f, 0.5f}, {0.1f, 0.8f}};
        Recall rr = Recall.of(reranked, itc, owners, new int[] {1, 2});
        // image 0: t1 (2.0) then t0 -> own t0 at rank 1; image 1: t0, t1 tied at -inf, ITC says t1 -> rank 0
        assertArrayEquals(new double[] {0.5, 1}, rr.imageToText(), 1e-12);
        // t0: both -inf, ITC 0.9 vs 0.1 -> i0 at rank 0; t1: i0 2.0 > i1 -inf -> rank 1
        assertArrayEquals(new double[] {0.5, 1}, rr.textToImage(), 1e-12);
    }

    @Test
    void nanScoresRankLast() {
        float[][] s = {{Float.NaN, 0.1f}, {0.2f, 0.3f}};
        Recall r = Recall.of(s, null, new int[] {0, 1}, new int[] {1});
        assertEquals(0.5, r.imageToText(1), 1e-12); // image 0's own text is NaN: behind t1
    }

    @Test
    void chanceMatchesTheHypergeometricCount() {
        Recall c = Recall.chance(OWNERS, 3, new int[] {1, 2});
        // k=1: images with 2, 1, 2 captions of 5 -> (2/5 + 1/5 + 2/5) / 3
        assertEquals((0.4 + 0.2 + 0.4) / 3, c.imageToText(1), 1e-12);
        // k=2: 1 - C(5-c,2)/C(5,2): c=2 -> 1 - 3/10; c=1 -> 1 - 6/10
        assertEquals((0.7 + 0.4 + 0.7) / 3, c.imageToText(2), 1e-12);
        assertEquals(1 / 3.0, c.textToImage(1), 1e-12);
        assertEquals(2 / 3.0, c.textToImage(2), 1e-12);
        // the shapes world's default test split: 300 images with 4 captions each
        int[] owners = new int[1200];
        for (int t = 0; t < owners.length; t++) {
            owners[t] = t / 4;
        }
        assertEquals(4 / 1200.0, Recall.chance(owners, 300, new int[] {1}).imageToText(1), 1e-12);
    }

    /**
     * What is true beyond what was written: text t2 (written for image 1) is also true of image 0, and
     * t0 (written for image 0) also of image 2. Rows i0: t0 t1 t2; i1: t2; i2: t0 t3 t4.
     */
    static final boolean[][] TRUTH = {
        {true, true, true, false, false},
        {false, false, true, false, false},
        {true, false, false, true, true},
    };

    @Test
    void truthAwareRecallCountsEveryTrueCaptionAndEveryTrueImage() {
        Recall r = Recall.ofTruth(SCORES, null, TRUTH, new int[] {1, 2});
        // image 0: t2 (0.9) is true of it -> rank 0; image 1: t2 -> 0; image 2: t0 (0.6) is true -> 0
        assertArrayEquals(new double[] {1, 1}, r.imageToText(), 1e-12);
        // t0: i2 (0.6) true -> 0; t1: i0 -> 0; t2: i0 (0.9) true -> 0; t3: i0 (0.3) false above i2 (0.1) -> 1; t4: 0
        assertArrayEquals(new double[] {4 / 5.0, 1}, r.textToImage(), 1e-12);
        // the own-caption count of the same scores: 1/3 and 2/5 at k=1 (recallCountsAnyOwnCaption...)
        Recall own = Recall.ofTruth(SCORES, null, Ranks.ownership(OWNERS, 3), new int[] {1});
        assertEquals(1 / 3.0, own.imageToText(1), 1e-12);
        assertEquals(2 / 5.0, own.textToImage(1), 1e-12);
    }

    @Test
    void truthAwareChanceCountsTheTrueCandidatesOfEachQuery() {
        Recall c = Recall.chance(TRUTH, new int[] {1, 2});
        // k=1: images with 3, 1, 3 true texts of 5; texts with 2, 1, 2, 1, 1 true images of 3
        assertEquals((3 + 1 + 3) / 5.0 / 3, c.imageToText(1), 1e-12);
        assertEquals((2 + 1 + 2 + 1 + 1) / 3.0 / 5, c.textToImage(1), 1e-12);
        // k=2: 1 - C(5-c,2)/C(5,2): c=3 -> 0.9, c=1 -> 0.4; 1 - C(3-d,2)/C(3,2): d=2 -> 1, d=1 -> 2/3
        assertEquals((0.9 + 0.4 + 0.9) / 3, c.imageToText(2), 1e-12);
        assertEquals((1 + 2 / 3.0 + 1 + 2 / 3.0 + 2 / 3.0) / 5, c.textToImage(2), 1e-12);
        // with only own captions true it is the own-caption chance
        Recall own = Recall.chance(Ranks.ownership(OWNERS, 3), new int[] {1, 2});
        Recall lavis = Recall.chance(OWNERS, 3, new int[] {1, 2});
        assertArrayEquals(lavis.imageToText(), own.imageToText(), 1e-12);
        assertArrayEquals(new double[] {1 / 3.0, 2 / 3.0}, own.textToImage(), 1e-12);
    }

    @Test
    void aPerfectScorerCannotReachOwnCaptionRecallOfOneWhenCaptionsAreShared() {
        // TRUTH, with t1 (image 0's) also true of image 1: texts true of 2, 2, 2, 1, 1 images
        boolean[][] truth = {
            {true, true, true, false, false},
            {false, true, true, false, false},
            {true, false, false, true, true},
        };
        Recall c = Recall.ceiling(OWNERS, truth, new int[] {1, 2});
        // image 0: t0, t1 (own), t2 all true of 2 images: 2/3 at k=1; image 1: t1, t2 (own): 1/2;
        // image 2: t3, t4 (own, true of it alone) come before t0: 1
        assertEquals((2 / 3.0 + 0.5 + 1) / 3, c.imageToText(1), 1e-12);
        // each text finds its own image among the D it is true of with probability 1/D
        assertEquals((0.5 + 0.5 + 0.5 + 1 + 1) / 5, c.textToImage(1), 1e-12);
        assertArrayEquals(new double[] {1, 1}, new double[] {c.imageToText(2), c.textToImage(2)}, 1e-12);
        // in TRUTH image 2's own captions are its most specific: the ceiling is 1 for it
        Recall specific = Recall.ceiling(OWNERS, TRUTH, new int[] {1});
        assertEquals((1 + 1 + 1) / 3.0, specific.imageToText(1), 1e-12);
        // a scorer that ranks exactly by the truth, true ones in index order, gets 1 counted by the truth
        float[][] oracle = new float[3][5];
        for (int i = 0; i < 3; i++) {
            for (int t = 0; t < 5; t++) {
                oracle[i][t] = TRUTH[i][t] ? 1 - 0.1f * t : -1;
            }
        }
        assertEquals(1, Recall.ofTruth(oracle, null, TRUTH, new int[] {1}).imageToText(1), 1e-12);
        assertEquals(1, Recall.ofTruth(oracle, null, TRUTH, new int[] {1}).textToImage(1), 1e-12);
        // ... and under the own count, image 2 ranks t0 (true of two images, not its own) first: 2/3
        assertEquals(2 / 3.0, Recall.of(oracle, null, OWNERS, new int[] {1}).imageToText(1), 1e-12);
        // without shared captions the ceiling is 1
        Recall none = Recall.ceiling(OWNERS, Ranks.ownership(OWNERS, 3), new int[] {1});
        assertEquals(1, none.imageToText(1), 1e-12);
        assertEquals(1, none.textToImage(1), 1e-12);
    }

    @Test
    void theStandardErrorIsTheBinomialOne() {
        assertArrayEquals(new double[] {0.01, 0, Math.sqrt(0.2 * 0.8 / 2500)},
                Recall.standardError(new double[] {0.5, 1, 0.2}, 2500), 1e-15);
        // a recall knows how many queries it averages over, so its standard error uses them
        Recall sub = Recall.of(new Ranks(new int[] {0, 3, 0, 0}, new int[] {0, 5}), new int[] {1});
        assertEquals(4, sub.imageQueries());
        assertEquals(2, sub.textQueries());
        assertEquals(Math.sqrt(0.75 * 0.25 / 4), sub.standardErrorAt1(true), 1e-15);
        assertEquals(Math.sqrt(0.5 * 0.5 / 2), sub.standardErrorAt1(false), 1e-15);
    }

    @Test
    void badTruthIsNamed() {
        boolean[][] orphan = {{true, false}, {true, false}};
        var e = assertThrows(IllegalArgumentException.class,
                () -> Recall.ofTruth(new float[][] {{1f, 2f}, {3f, 4f}}, null, orphan, new int[] {1}));
        assertTrue(e.getMessage().contains("text 1 is true of no image"), e.getMessage());
        var shape = assertThrows(IllegalArgumentException.class,
                () -> Recall.ofTruth(new float[][] {{1f, 2f}}, null, new boolean[][] {{true}}, new int[] {1}));
        assertTrue(shape.getMessage().contains("image 0 has 2 scores but 1 truth values"), shape.getMessage());
        var notOwn = assertThrows(IllegalArgumentException.class,
                () -> Recall.ceiling(new int[] {0, 1}, new boolean[][] {{true, true}, {true, false}}, new int[] {1}));
        assertTrue(notOwn.getMessage().contains("text 1 is not marked true of its own image 1"), notOwn.getMessage());
    }

    @Test
    void badInputIsNamed() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Recall.of(new float[][] {{1f, 2f}}, null, new int[] {0, 3}, new int[] {1}));
        assertTrue(e.getMessage().contains("text 1 belongs to image 3"), e.getMessage());
        var noCaption = assertThrows(IllegalArgumentException.class,
                () -> Recall.of(new float[][] {{1f}, {2f}}, null, new int[] {0}, new int[] {1}));
        assertTrue(noCaption.getMessage().contains("image 1 has no caption"), noCaption.getMessage());
        var k = assertThrows(IllegalArgumentException.class, () -> Recall.chance(OWNERS, 3, new int[] {1}).imageToText(5));
        assertTrue(k.getMessage().contains("not at 5"), k.getMessage());
    }
}
