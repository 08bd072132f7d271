package org.qformerlab.ablations;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Holm's step-down adjustment worked by hand. */
class HolmTest {

    @Test
    void sortsMultipliesByTheHypothesesLeftAndKeepsTheRunningMaximum() {
        // sorted: 0.005 * 4 = 0.02, 0.01 * 3 = 0.03, 0.03 * 2 = 0.06, 0.04 * 1 = 0.04 -> running max 0.06;
        // back in the order given: 0.01 -> 0.03, 0.04 -> 0.06, 0.03 -> 0.06, 0.005 -> 0.02
        assertArrayEquals(new double[] {0.03, 0.06, 0.06, 0.02}, Holm.adjust(0.01, 0.04, 0.03, 0.005), 1e-12);
    }

    @Test
    void capsAtOneLeavesASingleTestAloneAndSkipsMissingTests() {
        // 0.5 * 2 = 1.0, 0.6 * 1 = 0.6 -> running max 1.0 for both
        assertArrayEquals(new double[] {1.0, 1.0}, Holm.adjust(0.5, 0.6), 1e-12);
        assertArrayEquals(new double[] {1.0, 1.0}, Holm.adjust(0.7, 0.9), 1e-12, "1.4 is capped at 1");
        assertArrayEquals(new double[] {0.037}, Holm.adjust(0.037), 1e-12);
        // NaN (no test) is not one of the m: m = 2, so 0.01 * 2 and 0.04 * 1 -> max 0.04
        double[] adjusted = Holm.adjust(0.04, Double.NaN, 0.01);
        assertEquals(0.04, adjusted[0], 1e-12);
        assertEquals(Double.NaN, adjusted[1]);
        assertEquals(0.02, adjusted[2], 1e-12);
        assertEquals(0, Holm.adjust().length);
    }
}
