package org.qformerlab.blip2.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qformerlab.blip2.data.SceneTest.at;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CaptionTruthTest {

    /** A large red circle at the top left and a small blue square at the bottom right. */
    private static final Scene TWO = new Scene(List.of(
            at(Position.TOP_LEFT, Size.LARGE, Colour.RED, ShapeType.CIRCLE),
            at(Position.BOTTOM_RIGHT, Size.SMALL, Colour.BLUE, ShapeType.SQUARE)));

    private static boolean holds(String caption, Scene scene) {
        Optional<Boolean> verdict = CaptionTruth.holds(caption, scene);
        assertTrue(verdict.isPresent(), "'" + caption + "' should be read as a shapes-world caption");
        return verdict.get();
    }

    @Test
    void everyCaptionTheWriterWritesIsTrueOfItsOwnScene() {
        ShapesDataset world = ShapesWorld.generate(ShapesWorldConfig.defaults(5).withCounts(600, 0, 0, 0));
        int captions = 0;
        for (Sample s : world.split(Split.TRAIN)) {
            for (String caption : s.captions()) {
                assertTrue(holds(caption, s.scene()), "'" + caption + "' of " + s.scene());
                captions++;
            }
        }
        assertEquals(2400, captions);
    }

    @Test
    void theMatrixChecksEveryCaptionAgainstEveryScene() {
        Scene one = new Scene(List.of(at(Position.CENTRE, Size.SMALL, Colour.RED, ShapeType.CIRCLE)));
        boolean[][] m = CaptionTruth.matrix(java.util.Arrays.asList(TWO, one, null),
                List.of("a red circle and a blue square", "there is a red circle", "one shape", "two shapes",
                        "a cat on a mat"));
        // "there is a red circle" lists the whole scene: true of the lone red circle only; the cat is never marked
        assertArrayEquals(new boolean[] {true, false, false, true, false}, m[0]);
        assertArrayEquals(new boolean[] {false, true, true, false, false}, m[1]);
        assertArrayEquals(new boolean[5], m[2], "a scene-less (COCO) image is never marked");
    }

    @Test
    void aListOfObjectsMustNameEveryObjectOnce() {
        assertTrue(holds("a red circle and a blue square", TWO));
        assertTrue(holds("a picture of a small blue square and a large red circle", TWO));
        assertFalse(holds("a red circle", TWO), "one object of two is not the whole list");
        assertFalse(holds("a red circle and a green square", TWO));
        assertFalse(holds("a small red circle and a blue square", TWO), "the circle is large");
        assertFalse(holds("a red circle, a blue square and a red circle", TWO));
        assertTrue(holds("a red circle at the top left and a blue square at the bottom right", TWO));
        assertFalse(holds("a red circle at the top and a blue square at the bottom right", TWO));
    }

    @Test
    void oneObjectAtAPlaceNeedsOnlyThatObject() {
        assertTrue(holds("there is a red circle at the top left", TWO));
        assertTrue(holds("a small blue square at the bottom right", TWO));
        assertFalse(holds("a red circle at the bottom", TWO));
        assertFalse(holds("there is a green circle at the top left", TWO));
    }

    @Test
    void aRelationNeedsTwoObjectsStandingSo() {
        assertTrue(holds("a red circle is left of a blue square", TWO));
        assertTrue(holds("a blue square below a large red circle", TWO));
        assertTrue(holds("a blue square is right of a red circle", TWO));
        assertFalse(holds("a red circle right of a blue square", TWO));
        assertFalse(holds("a blue square above a red circle", TWO));
        assertFalse(holds("a red circle left of a red circle", TWO), "one circle cannot stand left of itself");
    }

    @Test
    void countsAreTheScenesCounts() {
        assertTrue(holds("two shapes", TWO));
        assertTrue(holds("there are two shapes", TWO));
        assertFalse(holds("three shapes", TWO));
        assertTrue(holds("a circle and a square", TWO));
        assertFalse(holds("two circles", TWO));
        assertFalse(holds("a circle", TWO), "a tally covers every object");
        assertTrue(holds("a red shape and a blue shape", TWO));
        assertFalse(holds("two red shapes", TWO));
        Scene one = new Scene(List.of(at(Position.CENTRE, Size.SMALL, Colour.GREEN, ShapeType.TRIANGLE)));
        assertTrue(holds("one triangle", one));
        assertTrue(holds("there is one shape", one));
        assertTrue(holds("one green shape", one));
        assertFalse(holds("one shape", TWO));
    }

    @Test
    void textOutsideTheGrammarGetsNoVerdict() {
        for (String text : List.of("a dog on a sofa", "", "red", "a red circle left of", "two", "a circle at noon",
                "a red circle and three shapes")) {
            assertEquals(Optional.empty(), CaptionTruth.holds(text, TWO), text);
        }
    }

    @Test
    void aBatchMarksTheOtherCaptionsThatAlsoDescribeAnImage() {
        List<Sample> samples = ShapesWorld.generate(ShapesWorldConfig.defaults(9).withCounts(40, 0, 0, 0))
                .split(Split.TRAIN).subList(0, 3);
        // the first sample's caption is the third scene's count of shapes
        int n = samples.get(2).scene().size();
        List<String> captions = List.of(Phrases.number(n) + (n == 1 ? " shape" : " shapes"),
                samples.get(1).captions().get(0), "a dog on a sofa");
        boolean[][] also = CaptionTruth.alsoTrue(samples, captions);
        for (int i = 0; i < 3; i++) {
            assertFalse(also[i][i], "the diagonal is the positive pair");
            assertFalse(also[i][2], "text outside the grammar is never marked");
        }
        assertTrue(also[2][0], "'" + captions.get(0) + "' is true of the third scene by construction");
        assertEquals(samples.get(1).scene().size() == n, also[1][0], "a count is true of every scene with that many shapes");
        assertEquals(CaptionTruth.holds(captions.get(1), samples.get(0).scene()).orElseThrow(), also[0][1]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CaptionTruth.alsoTrue(samples, captions.subList(0, 2)));
        assertEquals("3 samples but 2 captions", e.getMessage());
    }
}
