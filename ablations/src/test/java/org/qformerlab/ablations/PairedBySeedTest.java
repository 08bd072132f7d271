package org.qformerlab.ablations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The seed-by-seed comparison against values worked out by hand. */
class PairedBySeedTest {

    static Map<String, Map<Long, Double>> twoVariants(Map<Long, Double> a, Map<Long, Double> b) {
        Map<String, Map<Long, Double>> out = new LinkedHashMap<>();
        out.put("a", a);
        out.put("b", b);
        return out;
    }

    @Test
    void aSmallLeadInEveryPairIsClearThoughTheSeedsSpreadWidely() {
        // seeds spread by 10, but a leads b by 1, 2, 3 in its pairs: d = 1, 2, 3, mean 2, s_d 1, se 1/sqrt(3)
        PairedBySeed p = PairedBySeed.of(new MetricSpec("score", Better.HIGHER),
                twoVariants(Map.of(1L, 11.0, 2L, 22.0, 3L, 33.0), Map.of(1L, 10.0, 2L, 20.0, 3L, 30.0)));
        assertEquals("a", p.best());
        assertEquals("b", p.other());
        assertEquals(3, p.n());
        assertEquals(2.0, p.difference(), 1e-12);
        assertEquals(1 / Math.sqrt(3), p.standardError(), 1e-12);
        assertEquals(3, p.ahead());
        assertTrue(p.clear(), "t = 2 sqrt(3) = 3.46");
        assertEquals("score, seed by seed: a - b = 2 ± 0.5774 over 3 seeds, t = 3.46 (beyond 2 standard errors;"
                + " a two-sided 5% test over 3 pairs needs |t| > 4.30); a ahead in 3 of 3.", p.sentence());
        assertEquals("Paired by seed, a - b = 2 ± 0.5774 over 3 seeds, t = 3.46: within the two-sided 5% threshold"
                + " 4.30, so the paired test does not establish it.", p.testSentence());
        // two-sided 5% critical values from the t table
        assertEquals(12.706, PairedBySeed.tCritical(1), 5e-4);
        assertEquals(2.201, PairedBySeed.tCritical(11), 5e-4);
        assertEquals(1.965, PairedBySeed.tCritical(500), 5e-4);
    }

    @Test
    void lowerIsBetterPicksTheLowerMeanAndCountsItsLeadsOnlyOnSharedSeeds() {
        // b has the lower mean; seed 4 ran only for a and does not pair; d = b - a = -1, +1, -2 on seeds 1-3
        PairedBySeed p = PairedBySeed.of(new MetricSpec("loss", Better.LOWER),
                twoVariants(Map.of(1L, 3.0, 2L, 2.0, 3L, 4.0, 4L, 9.0), Map.of(1L, 2.0, 2L, 3.0, 3L, 2.0)));
        assertEquals("b", p.best());
        assertEquals(3, p.n());
        assertEquals(-2.0 / 3, p.difference(), 1e-12);
        assertEquals(2, p.ahead(), "lower in seeds 1 and 3");
        // s_d of (-1, 1, -2): mean -2/3, squares 1/9 + 25/9 + 16/9 = 42/9, / 2 = 7/3
        assertEquals(Math.sqrt(7.0 / 3) / Math.sqrt(3), p.standardError(), 1e-12);
        assertFalse(p.clear());
    }

    @Test
    void fewerThanTwoSharedSeedsOrVariantsGiveNoComparison() {
        MetricSpec m = new MetricSpec("score", Better.HIGHER);
        assertNull(PairedBySeed.of(m, twoVariants(Map.of(1L, 1.0), Map.of(1L, 2.0))));
        assertNull(PairedBySeed.of(m, twoVariants(Map.of(1L, 1.0, 2L, 2.0), Map.of())));
        assertNull(PairedBySeed.of(m, twoVariants(Map.of(1L, 1.0, 2L, 2.0), Map.of(3L, 1.0, 4L, 2.0))));
    }

    @Test
    void theSameDifferenceInEverySeedIsSaidInWords() {
        PairedBySeed p = PairedBySeed.of(new MetricSpec("score", Better.HIGHER),
                twoVariants(Map.of(1L, 2.0, 2L, 3.0), Map.of(1L, 1.0, 2L, 2.0)));
        assertEquals(0.0, p.standardError());
        assertTrue(p.clear());
        assertTrue(p.sentence().contains("the same difference in every seed"), p.sentence());
    }
}
