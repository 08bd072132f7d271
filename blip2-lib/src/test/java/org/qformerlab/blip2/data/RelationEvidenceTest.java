package org.qformerlab.blip2.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qformerlab.blip2.data.SceneTest.at;

import java.util.List;
import org.junit.jupiter.api.Test;

class RelationEvidenceTest {

    /** A large red circle at the top left, a small blue square at the bottom right, a green cross at the top right. */
    private static final Scene THREE = new Scene(List.of(
            at(Position.TOP_LEFT, Size.LARGE, Colour.RED, ShapeType.CIRCLE),
            at(Position.BOTTOM_RIGHT, Size.SMALL, Colour.BLUE, ShapeType.SQUARE),
            at(Position.TOP_RIGHT, Size.SMALL, Colour.GREEN, ShapeType.CROSS)));

    private static boolean settles(String question, String... captions) {
        return RelationEvidence.settles(List.of(captions), THREE, new QA(question, "yes", QuestionType.RELATION));
    }

    @Test
    void aRelationCaptionSettlesQuestionsOnItsAxisAboutTheSamePairInEitherOrder() {
        assertTrue(settles("is the circle left of the square?", "a red circle left of a blue square"));
        assertTrue(settles("is the circle right of the square?", "a large red circle is left of a small blue square"));
        assertTrue(settles("is the square right of the circle?", "a red circle left of a blue square"));
        assertTrue(settles("is the circle left of the square?", "a picture of three shapes", "a blue square is right of a red circle"));
        // another axis, another pair
        assertFalse(settles("is the circle above the square?", "a red circle left of a blue square"));
        assertFalse(settles("is the circle left of the cross?", "a red circle left of a blue square"));
    }

    @Test
    void captionsThatPlaceBothObjectsSettleAnyAxisOnePlaceDoesNot() {
        assertTrue(settles("is the circle above the square?", "a red circle at the top left", "a blue square at the bottom right"));
        assertTrue(settles("is the square below the circle?",
                "a small blue square at the bottom right, a green cross at the top right and a large red circle at the top left"));
        assertFalse(settles("is the circle above the square?", "a red circle at the top left", "a blue square and a red circle"));
    }

    @Test
    void onlyRelationQuestionsAreRead() {
        QA colour = new QA("what colour is the circle?", "red", QuestionType.COLOUR);
        assertThrows(IllegalArgumentException.class, () -> RelationEvidence.settles(List.of("a red circle"), THREE, colour));
    }
}
