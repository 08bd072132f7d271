package org.qformerlab.blip2.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** McNemar's exact test and the ranks it reads, against values worked out by hand. */
class McNemarTest {

    @Test
    void theRanksOfRecallTestsMatrixAreTheOnesItsCommentWorksOut() {
        Ranks r = Ranks.of(RecallTest.SCORES, null, RecallTest.OWNERS);
        assertArrayEquals(new int[] {1, 0, 3}, r.imageToText());
        assertArrayEquals(new int[] {1, 0, 1, 1, 0}, r.textToImage());
    }

    @Test
    void onlyTheQueriesOnWhichTheRankingsDisagreeCount() {
        // ranks before / after at k = 1: q0 miss->hit, q1 hit->hit, q2 hit->miss, q3 miss->miss,
        // q4 miss->hit, q5 miss->hit (rank 4 -> 0), q6 hit -> miss (rank 0 -> 2)
        int[] before = {1, 0, 0, 5, 2, 4, 0};
        int[] after = {0, 0, 1, 3, 0, 0, 2};
        McNemar m = McNemar.of(before, after, 1);
        assertEquals(3, m.gained());
        assertEquals(2, m.lost());
        // n = 5, min = 2: 2 P(X <= 2) = 2 (1 + 5 + 10) / 32 = 1 -> capped at 1
        assertEquals(1.0, m.p(), 1e-12);
        // at k = 3 only q5 (4 -> 0) changes
        McNemar at3 = McNemar.of(before, after, 3);
        assertEquals(1, at3.gained());
        assertEquals(0, at3.lost());
        assertEquals(1.0, at3.p(), 1e-12, "2 P(X <= 0), n = 1, is 1");
    }

    @Test
    void answersRightOrWrongCompareTheSameWay() {
        McNemar m = McNemar.of(new boolean[] {false, true, true, false}, new boolean[] {true, true, false, true}, 1);
        assertEquals(2, m.gained());
        assertEquals(1, m.lost());
        assertThrows(IllegalArgumentException.class, () -> McNemar.of(new boolean[2], new boolean[3], 1));
    }

    @Test
    void twoSidedExactPValuesByHand() {
        assertEquals(2.0 / 64, McNemar.twoSidedP(0, 6), 1e-12);       // 2 * 1/64
        assertEquals(14.0 / 64, McNemar.twoSidedP(1, 5), 1e-12);      // 2 * (1 + 6)/64
        assertEquals(14.0 / 64, McNemar.twoSidedP(5, 1), 1e-12);      // symmetric
        assertEquals(1.0, McNemar.twoSidedP(0, 0), 1e-12);             // nothing changed
        assertEquals(1.0, McNemar.twoSidedP(3, 3), 1e-12);
        // 2 * (1 + 10 + 45) / 1024 for n = 10, min = 2
        assertEquals(112.0 / 1024, McNemar.twoSidedP(2, 8), 1e-12);
        // large n stays finite and exact: 0 of 200 against 200 is 2 * 2^-200 = 2^-199
        assertEquals(Math.scalb(1.0, -199), McNemar.twoSidedP(0, 200), Math.scalb(1.0, -199) * 1e-12);
    }

    @Test
    void itSaysWhatChangedAndRefusesDifferentQueries() {
        assertEquals("+0 / -200, p < 0.001", new McNemar(1, 0, 200, 1e-60).shortText());
        assertEquals("+1 / -5, p = 0.219", new McNemar(1, 1, 5, 14.0 / 64).shortText());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> McNemar.of(new int[3], new int[4], 1));
        assertTrue(e.getMessage().contains("the same queries"), e.getMessage());
    }
}
