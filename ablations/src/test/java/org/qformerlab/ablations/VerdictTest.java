package org.qformerlab.ablations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.report.SampleStats;

class VerdictTest {

    static final MetricSpec R1 = new MetricSpec("i2t_r1", Better.HIGHER);

    static Map<String, SampleStats> two(String a, double[] av, String b, double[] bv) {
        Map<String, SampleStats> m = new LinkedHashMap<>();
        m.put(a, SampleStats.of(av));
        m.put(b, SampleStats.of(bv));
        return m;
    }

    @Test
    void aClearWinIsReportedWithTheDifferenceAndItsStandardError() {
        // means 40 and 44, stds 1 and 1: se = sqrt(1/3 + 1/3) = 0.8165; 4 > 2 * 0.8165
        String answer = Verdict.answer(R1, two("ITC+ITM", new double[] {39, 40, 41}, "ITC+ITM+ITG", new double[] {43, 44, 45}));
        assertEquals("ITC+ITM+ITG beats ITC+ITM on i2t_r1 by 4 ± 0.8165 over 3 seeds.", answer);
    }

    @Test
    void aDifferenceWithinTheSpreadIsATie() {
        // means 40 and 41, stds 2 and 2: se = 1.633; 1 < 2 * 1.633
        String answer = Verdict.answer(R1, two("A", new double[] {38, 40, 42}, "B", new double[] {39, 41, 43}));
        assertEquals("No difference on i2t_r1 beyond the seed spread: B 41 ± 2 vs A 40 ± 2 "
                + "(difference 1 ± 1.633 over 3 seeds).", answer);
    }

    @Test
    void lowerIsBetterPicksTheSmallerMean() {
        String answer = Verdict.answer(new MetricSpec("loss", Better.LOWER),
                two("A", new double[] {1.0, 1.1, 0.9}, "B", new double[] {2.0, 2.1, 1.9}));
        assertEquals("A beats B on loss (lower is better) by 1 ± 0.08165 over 3 seeds.", answer);
    }

    @Test
    void manyVariantsCompareTheBestWithTheRunnerUp() {
        Map<String, SampleStats> m = new LinkedHashMap<>();
        m.put("Q=4", SampleStats.of(10, 11, 12));
        m.put("Q=8", SampleStats.of(20, 21, 22));
        m.put("Q=16", SampleStats.of(30, 31, 32));
        assertEquals("Q=16 beats the runner-up Q=8 on i2t_r1 by 10 ± 0.8165 over 3 seeds.", Verdict.answer(R1, m));
    }

    @Test
    void variantsWithinTheSpreadOfTheBestAreNamedAsTiedWithIt() {
        Map<String, SampleStats> m = new LinkedHashMap<>();
        m.put("Q=4", SampleStats.of(10, 11, 12));
        m.put("Q=8", SampleStats.of(30, 31, 32));
        m.put("Q=16", SampleStats.of(30.5, 31.5, 32.5));
        assertEquals("Q=16 is best on i2t_r1 (31.5 ± 1), tied within the seed spread with Q=8; it beats the next, "
                + "Q=4, by 20.5 ± 0.8165 over 3 seeds.", Verdict.answer(R1, m));
        m.put("Q=4", SampleStats.of(28, 30, 32));
        assertEquals("No difference on i2t_r1 beyond the seed spread among the 3 variants: the best, Q=16 (31.5 ± 1), "
                + "leads the runner-up Q=8 (31 ± 1) by 0.5 ± 0.8165 over 3 seeds.", Verdict.answer(R1, m));
    }

    @Test
    void oneSeedGivesNoConclusionAndMissingResultsNoAnswer() {
        assertEquals("B scores better than A on i2t_r1 by 5, but with 1 seed the seed spread is unknown: no conclusion.",
                Verdict.answer(R1, two("A", new double[] {40}, "B", new double[] {45})));
        assertEquals("Cannot answer on i2t_r1: only 1 of 2 variants have results (see the failed runs).",
                Verdict.answer(R1, two("A", new double[] {40, 41}, "B", new double[] {})));
    }

    @Test
    void thePapersFindingIsConfirmedReversedOrLeftOpenByTheSeedSpread() {
        PaperClaim claim = new PaperClaim("ITG helps.", "ITC+ITM+ITG", "ITC+ITM", "i2t_r1");
        // 44 vs 40, se 0.8165: beyond the spread
        assertTrue(Verdict.againstPaper(claim, R1, two("ITC+ITM", new double[] {39, 40, 41}, "ITC+ITM+ITG",
                new double[] {43, 44, 45})).endsWith("**confirmed**: the paper's direction, beyond the seed spread."));
        assertTrue(Verdict.againstPaper(claim, R1, two("ITC+ITM", new double[] {43, 44, 45}, "ITC+ITM+ITG",
                new double[] {39, 40, 41})).endsWith("**reversed**: the opposite of the paper's direction, beyond the seed spread."));
        // 41 vs 40 with std 2: se 1.633, within the spread either way
        String same = Verdict.againstPaper(claim, R1, two("ITC+ITM", new double[] {38, 40, 42}, "ITC+ITM+ITG",
                new double[] {39, 41, 43}));
        assertEquals("ITC+ITM+ITG 41 ± 2 vs ITC+ITM 40 ± 2 on i2t_r1 (difference 1 ± 1.633 over 3 seeds): "
                + "**not established**: the paper's direction, but within the seed spread.", same);
        assertTrue(Verdict.againstPaper(claim, R1, two("ITC+ITM", new double[] {39, 41, 43}, "ITC+ITM+ITG",
                new double[] {38, 40, 42})).contains("**not reproduced**"));
        // lower is better flips what "the paper's direction" means
        PaperClaim loss = new PaperClaim("Stage 1 lowers the loss.", "A", "B", "loss");
        assertTrue(Verdict.againstPaper(loss, new MetricSpec("loss", Better.LOWER),
                two("A", new double[] {1.0, 1.1, 0.9}, "B", new double[] {2.0, 2.1, 1.9})).contains("**confirmed**"));
        assertTrue(Verdict.againstPaper(claim, R1, two("ITC+ITM", new double[] {1, 2}, "other", new double[] {1, 2}))
                .startsWith("Cannot check the paper's finding: ITC+ITM+ITG has no finished runs"));
    }
}
