package org.qformerlab.blip2.data;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.qformerlab.blip2.data.SceneOracle.COLOUR;
import static org.qformerlab.blip2.data.SceneOracle.PLURAL;
import static org.qformerlab.blip2.data.SceneOracle.RELATION;
import static org.qformerlab.blip2.data.SceneOracle.SHAPE;
import static org.qformerlab.blip2.data.SceneOracle.SIZE;
import static org.qformerlab.blip2.data.SceneOracle.matching;

/** Every question must name its objects unambiguously and carry the answer the scene gives. */
class QuestionsTest {

    private static final String REF = "the (?:" + COLOUR + " )?" + SHAPE;
    private static final Pattern COLOUR_Q = Pattern.compile("what colour is the (?:" + SIZE + " )?" + SHAPE + "\\?");
    private static final Pattern SHAPE_Q = Pattern.compile("what shape is " + COLOUR + "\\?|what is the shape of the " + COLOUR + " object\\?");
    private static final Pattern SIZE_Q = Pattern.compile("what size is " + REF + "\\?|is " + REF + " small or large\\?");
    private static final Pattern COUNT_Q = Pattern.compile("how many (?:shapes|" + PLURAL + "|" + COLOUR + " shapes) are there\\?");
    private static final Pattern RELATION_Q = Pattern.compile("is " + REF + " " + RELATION + " " + REF + "\\?");

    private static List<Sample> samples;

    @BeforeAll
    static void generate() {
        ShapesDataset world = ShapesWorld.generate(ShapesWorldConfig.defaults(78).withCounts(1500, 200, 200, 200));
        samples = new ArrayList<>();
        for (Split split : Split.values()) {
            samples.addAll(world.split(split));
        }
    }

    @Test
    void everyAnswerIsTheSceneAnswer() {
        Map<QuestionType, Integer> checked = new EnumMap<>(QuestionType.class);
        for (Sample s : samples) {
            for (QA qa : s.qas()) {
                assertEquals(expectedAnswer(qa, s.scene()), qa.answer(), qa.question() + " for " + s.scene());
                checked.merge(qa.type(), 1, Integer::sum);
            }
        }
        assertEquals(QuestionType.values().length, checked.size(), checked.toString());
        checked.values().forEach(n -> assertTrue(n > 500, checked.toString()));
    }

    @Test
    void everySampleGetsACountQuestionAndRelationsNeedTwoObjects() {
        for (Sample s : samples) {
            assertTrue(s.qas().stream().anyMatch(q -> q.type() == QuestionType.COUNT));
            boolean relation = s.qas().stream().anyMatch(q -> q.type() == QuestionType.RELATION);
            assertEquals(s.scene().size() >= 2, relation, s.scene().toString());
            assertEquals(s.qas().size(), s.qas().stream().map(QA::type).distinct().count(), "one question per type");
        }
    }

    @Test
    void yesAndNoAreBalanced() {
        long yes = 0;
        long all = 0;
        for (Sample s : samples) {
            for (QA qa : s.qas()) {
                if (qa.type() == QuestionType.RELATION) {
                    all++;
                    yes += qa.answer().equals("yes") ? 1 : 0;
                }
            }
        }
        double share = (double) yes / all;
        assertTrue(share > 0.4 && share < 0.6, yes + " yes of " + all);
    }

    /** Re-derives the answer from the scene; fails if the question's objects are not unique. */
    private static String expectedAnswer(QA qa, Scene scene) {
        String q = qa.question();
        Matcher m;
        switch (qa.type()) {
            case COLOUR -> {
                m = match(COLOUR_Q, q);
                return unique(matching(scene, m.group(1), null, m.group(2)), q).colour().word();
            }
            case SHAPE -> {
                m = match(SHAPE_Q, q);
                String colour = m.group(1) != null ? m.group(1) : m.group(2);
                return unique(matching(scene, null, colour, null), q).shape().word();
            }
            case SIZE -> {
                m = match(SIZE_Q, q);
                String colour = m.group(1) != null ? m.group(1) : m.group(3);
                String shape = m.group(2) != null ? m.group(2) : m.group(4);
                return unique(matching(scene, null, colour, shape), q).size().word();
            }
            case COUNT -> {
                m = match(COUNT_Q, q);
                int n = m.group(1) != null ? scene.count(SceneOracle.shapeFromPlural(m.group(1)))
                        : m.group(2) != null ? matching(scene, null, m.group(2), null).size()
                        : scene.size();
                return Phrases.number(n);
            }
            case RELATION -> {
                m = match(RELATION_Q, q);
                SceneObject a = unique(matching(scene, null, m.group(1), m.group(2)), q);
                SceneObject b = unique(matching(scene, null, m.group(4), m.group(5)), q);
                return SceneOracle.relationHolds(m.group(3), a, b) ? "yes" : "no";
            }
            default -> throw new AssertionError(qa.type());
        }
    }

    private static Matcher match(Pattern p, String question) {
        Matcher m = p.matcher(question);
        if (!m.matches()) {
            fail("unexpected question form: '" + question + "'");
        }
        return m;
    }

    private static SceneObject unique(List<SceneObject> candidates, String question) {
        assertEquals(1, candidates.size(), "'" + question + "' names " + candidates.size() + " objects");
        return candidates.get(0);
    }
}
