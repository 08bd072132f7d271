package org.qformerlab.ablations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

/**
 * The headline answer worked by hand. Three seeds (2 degrees of freedom), where the two-sided p of the
 * paired t test has a closed form: {@code p = 1 - t / sqrt(2 + t²)}; and
 * {@code t_{0.975,2} + t_{0.80,2} = 4.3027 + 1.0607 = 5.3633}, so {@code MDE = 5.3633 s_d / sqrt(3)}.
 */
class HeadlineTest {

    static final MetricSpec SCORE = new MetricSpec("score", Better.HIGHER);

    /** The baseline a: 10, 20, 30 over seeds 1..3. */
    static final Map<Long, Double> A = Map.of(1L, 10.0, 2L, 20.0, 3L, 30.0);
    /** a + (1, 1.125, 0.875): mean 1, s_d 0.125, se 0.07217, t² = 192, p = 1 - sqrt(192/194) = 0.005168. */
    static final Map<Long, Double> B = Map.of(1L, 11.0, 2L, 21.125, 3L, 30.875);
    /** a + (1, 2, 3): mean 2, s_d 1, se 0.5774, t² = 12, p = 1 - sqrt(12/14) = 0.07418, MDE 3.0965. */
    static final Map<Long, Double> C = Map.of(1L, 11.0, 2L, 22.0, 3L, 33.0);
    /** a - (1, 1.125, 0.875): B's mirror image. */
    static final Map<Long, Double> D = Map.of(1L, 9.0, 2L, 18.875, 3L, 29.125);
    /** a - (1, 2, 3): C's mirror image. */
    static final Map<Long, Double> E = Map.of(1L, 9.0, 2L, 18.0, 3L, 27.0);

    static Map<String, Map<Long, Double>> variants(Object... nameThenValues) {
        Map<String, Map<Long, Double>> out = new LinkedHashMap<>();
        for (int i = 0; i < nameThenValues.length; i += 2) {
            @SuppressWarnings("unchecked")
            Map<Long, Double> values = (Map<Long, Double>) nameThenValues[i + 1];
            out.put((String) nameThenValues[i], values);
        }
        return out;
    }

    @Test
    void aFoundEffectIsStatedWithItsDirectionItsErrorAndItsP() {
        Headline h = Headline.of(SCORE, "a", variants("a", A, "b", B));
        Headline.Comparison b = h.comparison("b");
        assertEquals(3, b.pairs());
        assertEquals(1.0, b.effect(), 1e-12);
        assertEquals(0.125, b.spread(), 1e-12);
        assertEquals(0.125 / Math.sqrt(3), b.standardError(), 1e-12);
        assertEquals(1 - Math.sqrt(192.0 / 194), b.p(), 1e-12);
        assertEquals(b.p(), b.holmP(), 1e-15, "one test: nothing to adjust");
        assertEquals(5.3633 * 0.125 / Math.sqrt(3), b.detectable(), 1e-4);
        assertTrue(b.found());
        assertEquals("On score, b is better than a by +1 ± 0.07217 (mean paired difference over 3 seeds, p = 0.005;"
                + " the detectable effect at 3 seeds is 0.3871).", h.sentence());
        // lower is better: the same numbers say b is worse
        Headline lower = Headline.of(new MetricSpec("loss", Better.LOWER), "a", variants("a", A, "b", B));
        assertTrue(lower.sentence().startsWith("On loss (lower is better), b is worse than a by +1 ± 0.07217"),
                lower.sentence());
    }

    @Test
    void nothingFoundSaysHowLargeAnEffectCouldHide() {
        Headline h = Headline.of(SCORE, "a", variants("a", A, "c", C));
        Headline.Comparison c = h.comparison("c");
        assertEquals(1 - Math.sqrt(12.0 / 14), c.p(), 1e-12);
        assertFalse(c.found());
        assertEquals(5.3633 / Math.sqrt(3), c.detectable(), 1e-4);
        assertEquals("On score, c vs a: no effect larger than 3.097 (the detectable effect at 3 seeds); observed +2"
                + " ± 0.5774 (p = 0.074).", h.sentence());
    }

    @Test
    void severalVariantsAreHolmAdjustedTogether() {
        // p: b 0.005168, c 0.07418, d 0.005168 -> Holm: b and d 3 * 0.005168 = 0.0155, c max(0.0155, 0.07418)
        Headline h = Headline.of(SCORE, "a", variants("a", A, "b", B, "c", C, "d", D));
        assertEquals(3, h.tests());
        double p = 1 - Math.sqrt(192.0 / 194);
        assertEquals(3 * p, h.comparison("b").holmP(), 1e-12);
        assertEquals(3 * p, h.comparison("d").holmP(), 1e-12);
        assertEquals(1 - Math.sqrt(12.0 / 14), h.comparison("c").holmP(), 1e-12);
        assertEquals("On score against the baseline a: b is better by +1 ± 0.07217 (Holm p = 0.016); d is worse by"
                + " -1 ± 0.07217 (Holm p = 0.016); for c, no effect larger than 3.097 (the detectable effect at 3"
                + " seeds).", h.sentence());
        // the main table: the baseline first, then each variant against it
        Table t = h.table();
        assertEquals("[variant, n, score mean ± SE, effect vs a ± SE, MDE, Holm p, verdict]", t.columnNames().toString());
        assertEquals("a (baseline)", t.stringColumn("variant").get(0));
        assertEquals("20 ± 5.774", t.stringColumn("score mean ± SE").get(0), "mean 20, std 10, se 10/sqrt(3)");
        assertEquals("+1 ± 0.07217", t.stringColumn("effect vs a ± SE").get(1));
        assertEquals("better", t.stringColumn("verdict").get(1));
        assertEquals("none found (< MDE)", t.stringColumn("verdict").get(2));
        assertEquals("worse", t.stringColumn("verdict").get(3));
        assertEquals(5.3633 / Math.sqrt(3), t.doubleColumn("MDE").get(2), 1e-4);
        assertTrue(t.doubleColumn("MDE").isMissing(0), "no MDE for the baseline itself");
    }

    @Test
    void whenTheAdjustmentLeavesNothingTheLargestObservedEffectIsNamed() {
        // c and e: p 0.07418 each, Holm 2 * 0.07418 = 0.148
        Headline h = Headline.of(SCORE, "a", variants("a", A, "c", C, "e", E));
        assertEquals("On score against the baseline a: no variant differs from it: no effect larger than 3.097 (the"
                + " largest detectable effect among them, at 3 seeds); the largest observed, c, is +2 ± 0.5774 (Holm p"
                + " = 0.148).", h.sentence());
    }

    @Test
    void anEffectLargerThanTheDetectableOneThatHolmLeavesIsTooFewSeedsNotNoEffect() {
        // two seeds (1 df): a + (5, 5.2): mean 5.1, s_d = sqrt(0.02), se 0.1, t = 51,
        // p = 1 - 2 atan(51) / pi = 0.01248; MDE = (12.706 + 1.376) * 0.1 = 1.408; five such variants:
        // Holm 5 * 0.01248 = 0.0624 > 0.05, so none is found though each is 3.6 MDEs away
        Map<Long, Double> a = Map.of(1L, 10.0, 2L, 20.0);
        Map<Long, Double> up = Map.of(1L, 15.0, 2L, 25.2);
        Headline h = Headline.of(SCORE, "a", variants("a", a, "b", up, "c", up, "d", up, "e", up, "f", up));
        assertEquals(5 * (1 - 2 * Math.atan(51) / Math.PI), h.comparison("b").holmP(), 1e-9);
        assertFalse(h.comparison("b").found());
        String sentence = h.sentence();
        assertTrue(sentence.startsWith("On score against the baseline a: b is +5.1 ± 0.1, larger than its detectable"
                + " effect 1.408 but not significant (Holm p = 0.062): too few seeds to tell;"), sentence);
        assertFalse(sentence.contains("no effect larger than"), sentence);
        assertEquals("not significant (> MDE)", h.table().stringColumn("verdict").get(1));
    }

    @Test
    void equalValuesHaveNoSpreadThoughRoundingLeavesSome() {
        // 0.1 + 0.2 != 0.3 in binary: the three values are equal to 16 digits, not bit for bit
        Map<Long, Double> flat = Map.of(1L, 0.1 + 0.2, 2L, 0.3, 3L, 0.3);
        Map<Long, Double> base = Map.of(1L, 0.2, 2L, 0.2, 3L, 0.2);
        Table t = Headline.of(SCORE, "a", variants("a", base, "b", flat)).table();
        assertEquals("0.3 ± 0", t.stringColumn("score mean ± SE").get(1));
        assertEquals("+0.1 ± 0", t.stringColumn("effect vs a ± SE").get(1));
    }

    @Test
    void tooFewPairedSeedsGiveNoConclusionAndMissingBaselineNoAnswer() {
        Headline one = Headline.of(SCORE, "a", variants("a", A, "b", Map.of(1L, 12.0)));
        assertEquals("On score, b vs a: only 1 paired seed, so the spread is unknown: no conclusion and no detectable"
                + " effect to state (observed +2).", one.sentence());
        Headline mixed = Headline.of(SCORE, "a", variants("a", A, "b", B, "f", Map.of(1L, 12.0)));
        assertEquals(1, mixed.tests());
        assertTrue(mixed.sentence().endsWith("; f has fewer than 2 seeds paired with the baseline: no conclusion."),
                mixed.sentence());
        assertEquals("Cannot answer on score: the baseline a has no finished runs (see the failed runs).",
                Headline.of(SCORE, "a", variants("a", Map.of(), "b", B)).sentence());
    }

    @Test
    void thePaperDirectionIsSaidPlainly() {
        Map<String, Map<Long, Double>> two = variants("a", A, "b", B);
        Headline h = Headline.of(SCORE, "a", two);
        assertEquals("The paper's direction shows: b - a = +1 ± 0.07217 on score over 3 paired seeds (p = 0.005).",
                h.againstPaper(new PaperClaim("b wins", "b", "a", "score"), SCORE, two));
        assertEquals("The paper's direction does not show: a - b = -1 ± 0.07217 on score over 3 paired seeds (p ="
                + " 0.005; the opposite direction, beyond chance; the detectable effect at 3 seeds is 0.3871).",
                h.againstPaper(new PaperClaim("a wins", "a", "b", "score"), SCORE, two));
        Map<String, Map<Long, Double>> weak = variants("a", A, "c", C);
        assertEquals("The paper's direction does not show: c - a = +2 ± 0.5774 on score over 3 paired seeds (p ="
                + " 0.074; the paper's direction, but not beyond chance; the detectable effect at 3 seeds is 3.097).",
                Headline.of(SCORE, "a", weak).againstPaper(new PaperClaim("c wins", "c", "a", "score"), SCORE, weak));
        // a claim among several comparisons takes the Holm-adjusted p
        Map<String, Map<Long, Double>> three = variants("a", A, "b", B, "c", C, "d", D);
        assertTrue(Headline.of(SCORE, "a", three).againstPaper(new PaperClaim("b wins", "b", "a", "score"), SCORE, three)
                .endsWith("(Holm p = 0.016)."));
    }
}
