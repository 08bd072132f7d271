package org.qformerlab.ablations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The minimum detectable effect against hand calculations with table t quantiles. */
class PowerTest {

    @Test
    void theDetectableEffectIsTheSumOfTwoQuantilesInStandardErrors() {
        // 6 seeds, s_d = 0.01: (t_{0.975,5} + t_{0.80,5}) s_d / sqrt(6) = (2.571 + 0.920) * 0.01 / 2.449 = 0.01425
        assertEquals(3.491, Power.multiplier(6), 1e-3);
        assertEquals(0.01425, Power.detectableEffect(6, 0.01), 1e-5);
        // 3 seeds, s_d = 0.01: (4.303 + 1.061) * 0.01 / 1.732 = 0.03097
        assertEquals(0.03097, Power.detectableEffect(3, 0.01), 1e-5);
        // 2 seeds: (12.706 + 1.376) * 0.01 / 1.414 = 0.09958
        assertEquals(0.09958, Power.detectableEffect(2, 0.01), 1e-5);
        // linear in the spread; nothing to detect without spread
        assertEquals(2 * Power.detectableEffect(5, 0.3), Power.detectableEffect(5, 0.6), 1e-12);
        assertEquals(0.0, Power.detectableEffect(4, 0));
    }

    @Test
    void seedsForATargetIsTheFirstCountThatReachesIt() {
        // s_d = 0.01, target 0.02:
        //   n = 4: (3.182 + 0.978) * 0.01 / 2     = 0.0208 > 0.02
        //   n = 5: (2.776 + 0.941) * 0.01 / 2.236 = 0.0166 <= 0.02
        assertEquals(5, Power.seedsFor(0.02, 0.01));
        assertEquals(2, Power.seedsFor(0.02, 0), "no spread: the fewest seeds a t test can take");
        assertEquals(2, Power.seedsFor(1, 0.01));
        // far out the multiplier is about 2.80, so n ~ (2.80 * 10)^2 = 785 for s_d / target = 10
        int n = Power.seedsFor(0.001, 0.01);
        assertTrue(Power.detectableEffect(n, 0.01) <= 0.001 && Power.detectableEffect(n - 1, 0.01) > 0.001, "n=" + n);
        assertTrue(n > 780 && n < 800, "n=" + n);
    }

    @Test
    void badArgumentsAreRefusedByName() {
        assertEquals("a paired t test needs at least 2 seeds, got 1",
                assertThrows(IllegalArgumentException.class, () -> Power.detectableEffect(1, 0.1)).getMessage());
        assertEquals("the target detectable effect must be a positive number, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> Power.seedsFor(0, 0.1)).getMessage());
        assertEquals("the spread s_d must be a non-negative number, got NaN",
                assertThrows(IllegalArgumentException.class, () -> Power.detectableEffect(3, Double.NaN)).getMessage());
    }
}
