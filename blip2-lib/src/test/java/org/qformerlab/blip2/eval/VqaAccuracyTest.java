package org.qformerlab.blip2.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.data.QA;
import org.qformerlab.blip2.data.QuestionType;

/** VQA exact match per type, the majority-answer baseline and the noise margin, against hand counts. */
class VqaAccuracyTest {

    private static QA shape(String answer) {
        return new QA("what shape is red?", answer, QuestionType.SHAPE);
    }

    private static QA relation(String answer) {
        return new QA("is the circle above the square?", answer, QuestionType.RELATION);
    }

    @Test
    void majorityAnswersCountNormalisedAnswersAndBreakTiesAlphabetically() {
        Map<QuestionType, String> majority = VqaAccuracy.majorityAnswers(List.of(
                shape("circle"), shape("Square "), shape("square"), shape("circle"),
                relation("yes"), relation("no")));
        assertEquals("circle", majority.get(QuestionType.SHAPE)); // 2 circle, 2 square: the tie goes to "circle"
        assertEquals("no", majority.get(QuestionType.RELATION)); // 1 and 1: "no" before "yes"
    }

    @Test
    void accuracyPerTypeBesideTheBaselineAndPooled() {
        VqaAccuracy vqa = new VqaAccuracy(Map.of(QuestionType.SHAPE, "circle", QuestionType.RELATION, "yes"));
        vqa.add(shape("circle"), " Circle").add(shape("square"), "square").add(shape("cross"), "circle")
                .add(shape("square"), "circle");
        vqa.add(relation("yes"), "no").add(relation("no"), "no");
        // shape: right 2 of 4 ("Circle" counts, case and spaces aside); the baseline "circle": 1 of 4
        assertEquals(0.5, vqa.accuracy(QuestionType.SHAPE), 1e-12);
        assertEquals(0.25, vqa.majorityAccuracy(QuestionType.SHAPE), 1e-12);
        assertEquals(4, vqa.count(QuestionType.SHAPE));
        // relation: 1 of 2, baseline "yes" 1 of 2
        assertEquals(0.5, vqa.accuracy(QuestionType.RELATION), 1e-12);
        assertEquals(0.5, vqa.majorityAccuracy(QuestionType.RELATION), 1e-12);
        // pooled over the 6 questions: 3 right; baseline 2
        assertEquals(0.5, vqa.overall(), 1e-12);
        assertEquals(2 / 6.0, vqa.majorityOverall(), 1e-12);
        assertEquals(List.of(QuestionType.SHAPE, QuestionType.RELATION), vqa.types());
        assertArrayEquals(new boolean[] {true, true, false, false, false, true}, vqa.answeredRight(),
                "each question in the order asked");
        assertTrue(Double.isNaN(vqa.accuracy(QuestionType.COUNT)));
        // the metric names: overall as the name, each type asked as name_<type>, no entry for a type not asked
        Map<String, Double> metrics = new java.util.LinkedHashMap<>();
        vqa.putAccuracies(metrics, "val_vqa");
        assertEquals(Map.of("val_vqa", 0.5, "val_vqa_shape", 0.5, "val_vqa_relation", 0.5), metrics);
    }

    /** n questions of which {@code right} answered right and {@code baseline} have the majority answer. */
    private static VqaAccuracy shapes(int n, int right, int baseline) {
        VqaAccuracy vqa = new VqaAccuracy(Map.of(QuestionType.SHAPE, "circle"));
        for (int i = 0; i < n; i++) {
            String truth = i < baseline ? "circle" : "square";
            // the first `right` questions are answered right; the others get an answer no question has
            vqa.add(shape(truth), i < right ? truth : "cross");
        }
        return vqa;
    }

    @Test
    void clearlyAboveMajorityNeedsMoreThanTwiceTheBaselinesStandardError() {
        // p = 75/300 = 0.25: 2 sqrt(0.25 * 0.75 / 300) = 0.05, so the bar is 0.30 (90 right)
        assertFalse(shapes(300, 90, 75).clearlyAboveMajority(QuestionType.SHAPE)); // exactly on the bar
        assertTrue(shapes(300, 91, 75).clearlyAboveMajority(QuestionType.SHAPE));
        // p = 0.5 over 100 questions: 2 sqrt(0.25 / 100) = 0.1, so 0.59 is noise and 0.61 is not
        assertFalse(shapes(100, 59, 50).clearlyAboveMajority(QuestionType.SHAPE));
        assertTrue(shapes(100, 61, 50).clearlyAboveMajority(QuestionType.SHAPE));
        // below the baseline, and a type never asked
        assertFalse(shapes(100, 40, 50).clearlyAboveMajority(QuestionType.SHAPE));
        assertFalse(shapes(100, 61, 50).clearlyAboveMajority(QuestionType.RELATION));
    }
}
