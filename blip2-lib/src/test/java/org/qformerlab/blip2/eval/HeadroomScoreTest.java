package org.qformerlab.blip2.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.data.QA;
import org.qformerlab.blip2.data.QuestionType;

class HeadroomScoreTest {

    private static final Map<QuestionType, String> MAJORITY =
            Map.of(QuestionType.COLOUR, "red", QuestionType.SIZE, "small", QuestionType.COUNT, "two",
                    QuestionType.RELATION, "yes");

    /** Adds questions of one type with these truths, answered with these answers. */
    private static void add(VqaAccuracy to, QuestionType type, String[] truths, String[] answers) {
        for (int i = 0; i < truths.length; i++) {
            to.add(new QA("q" + i + "?", truths[i], type), answers[i]);
        }
    }

    @Test
    void eachTypeIsNormalisedByItsHeadroomAndTheMeanTakesTheTypesKept() {
        VqaAccuracy model = new VqaAccuracy(MAJORITY);
        VqaAccuracy ceiling = new VqaAccuracy(MAJORITY);
        VqaAccuracy stated = new VqaAccuracy(MAJORITY);
        String[] colours = {"red", "blue", "green", "red"}; // majority right on 2 of 4: 0.5
        add(model, QuestionType.COLOUR, colours, new String[] {"red", "blue", "green", "blue"}); // 0.75
        add(ceiling, QuestionType.COLOUR, colours, colours); // 1.0
        String[] counts = {"two", "two", "one", "three", "two"}; // majority 0.6
        add(model, QuestionType.COUNT, counts, counts); // 1.0
        add(ceiling, QuestionType.COUNT, counts, new String[] {"two", "two", "two", "three", "two"}); // 0.8
        String[] sizes = {"small", "large"}; // majority 0.5
        add(model, QuestionType.SIZE, sizes, new String[] {"small", "small"}); // 0.5
        add(ceiling, QuestionType.SIZE, sizes, new String[] {"large", "large"}); // 0.5: no headroom
        String[] relations = {"yes", "no", "yes", "no"}; // majority 0.5
        add(model, QuestionType.RELATION, relations, new String[] {"yes", "no", "yes", "yes"}); // 0.75
        add(ceiling, QuestionType.RELATION, relations, relations); // 1.0
        add(stated, QuestionType.RELATION, new String[] {"yes", "no"}, new String[] {"yes", "yes"}); // 0.5 < 0.8

        HeadroomScore h = HeadroomScore.of(model, ceiling, stated);
        assertEquals(0.5, h.normalised().get(QuestionType.COLOUR), 1e-12); // (0.75 - 0.5) / (1 - 0.5)
        assertEquals(2.0, h.normalised().get(QuestionType.COUNT), 1e-12); // (1 - 0.6) / (0.8 - 0.6): beyond the captions
        assertEquals(Map.of(QuestionType.COLOUR, 0.5, QuestionType.COUNT, 2.0).keySet(), h.normalised().keySet());
        assertEquals(1.25, h.aggregate(), 1e-12); // (0.5 + 2.0) / 2, each type weighing the same
        // pooled: gains summed over headrooms summed, ((0.75 - 0.5) + (1 - 0.6)) / ((1 - 0.5) + (0.8 - 0.6))
        assertEquals(0.65 / 0.7, h.pooled(), 1e-12);
        assertTrue(h.excluded().get(QuestionType.SIZE).contains("no headroom"), h.excluded().toString());
        assertTrue(h.excluded().get(QuestionType.RELATION).contains("0.500 of the 2 questions whose answer the captions"
                + " state"), h.excluded().toString());

        // relation read where it is stated (2 of 2): it counts, (0.75 - 0.5) / (1 - 0.5)
        VqaAccuracy readable = new VqaAccuracy(MAJORITY);
        add(readable, QuestionType.RELATION, new String[] {"yes", "no"}, new String[] {"yes", "no"});
        HeadroomScore kept = HeadroomScore.of(model, ceiling, readable);
        assertEquals(0.5, kept.normalised().get(QuestionType.RELATION), 1e-12);
        assertEquals((0.5 + 2.0 + 0.5) / 3, kept.aggregate(), 1e-12);
        assertEquals((0.25 + 0.4 + 0.25) / (0.5 + 0.2 + 0.5), kept.pooled(), 1e-12);
    }
}
