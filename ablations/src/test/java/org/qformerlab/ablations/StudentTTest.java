package org.qformerlab.ablations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Student's t against printed tables and the closed forms of 1 and 2 degrees of freedom. */
class StudentTTest {

    @Test
    void quantilesMatchThePrintedTable() {
        // t_{p,ν} from a standard table (three decimals)
        double[][] table = {
            {0.975, 1, 12.706}, {0.975, 2, 4.303}, {0.975, 5, 2.571}, {0.975, 10, 2.228}, {0.975, 30, 2.042},
            {0.80, 1, 1.376}, {0.80, 2, 1.061}, {0.80, 5, 0.920}, {0.80, 10, 0.879},
            {0.95, 5, 2.015}, {0.995, 5, 4.032}, {0.995, 1, 63.657}, {0.999, 3, 10.215},
        };
        for (double[] row : table) {
            assertEquals(row[2], StudentT.quantile(row[0], row[1]), 5e-4, "t_{" + row[0] + "," + (int) row[1] + "}");
        }
    }

    @Test
    void oneAndTwoDegreesOfFreedomHaveClosedForms() {
        // ν = 1 is Cauchy: F(t) = 1/2 + atan(t)/π, t_p = tan(π(p - 1/2))
        assertEquals(0.75, StudentT.cdf(1, 1), 1e-12);
        assertEquals(0.5 + Math.atan(3) / Math.PI, StudentT.cdf(3, 1), 1e-12);
        assertEquals(Math.tan(Math.PI * 0.475), StudentT.quantile(0.975, 1), 1e-9);
        // ν = 2: F(t) = 1/2 + t / (2 sqrt(2 + t²)), t_p = (2p - 1) / sqrt(2p(1 - p))
        assertEquals(0.5 + 1 / (2 * Math.sqrt(3)), StudentT.cdf(1, 2), 1e-12);
        assertEquals(0.5 - 2 / (2 * Math.sqrt(6)), StudentT.cdf(-2, 2), 1e-12);
        assertEquals(0.95 / Math.sqrt(2 * 0.975 * 0.025), StudentT.quantile(0.975, 2), 1e-9);
        // two-sided p for ν = 2: 1 - t / sqrt(2 + t²); t² = 12 gives 1 - sqrt(12/14)
        assertEquals(1 - Math.sqrt(12.0 / 14), StudentT.twoSidedP(Math.sqrt(12), 2), 1e-12);
        assertEquals(1 - Math.sqrt(12.0 / 14), StudentT.twoSidedP(-Math.sqrt(12), 2), 1e-12);
    }

    @Test
    void theTestAtItsCriticalValueHasPFivePercentAndTheDistributionIsSymmetric() {
        assertEquals(0.05, StudentT.twoSidedP(StudentT.quantile(0.975, 7), 7), 1e-10);
        assertEquals(0.05, StudentT.twoSidedP(2.571, 5), 1e-4);
        assertEquals(1.0, StudentT.twoSidedP(0, 4));
        assertEquals(0.5, StudentT.cdf(0, 4));
        assertEquals(0.0, StudentT.quantile(0.5, 9));
        assertEquals(-StudentT.quantile(0.975, 5), StudentT.quantile(0.025, 5), 1e-12);
        assertEquals(0.0, StudentT.twoSidedP(Double.POSITIVE_INFINITY, 3));
        // many degrees of freedom: the normal's 1.95996
        assertEquals(1.95996, StudentT.quantile(0.975, 1e6), 1e-4);
    }

    @Test
    void badArgumentsAreRefusedByName() {
        String m = assertThrows(IllegalArgumentException.class, () -> StudentT.quantile(1, 5)).getMessage();
        assertTrue(m.contains("strictly between 0 and 1, got 1.0"), m);
        m = assertThrows(IllegalArgumentException.class, () -> StudentT.cdf(1, 0)).getMessage();
        assertTrue(m.contains("positive, finite degrees of freedom, got 0.0"), m);
    }
}
