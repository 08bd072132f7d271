package org.qformerlab.blip2.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.data.Colour;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.Scene;
import org.qformerlab.blip2.data.SceneObject;
import org.qformerlab.blip2.data.ShapeType;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.data.ShapesWorldConfig;
import org.qformerlab.blip2.data.Size;
import org.qformerlab.blip2.data.Split;

class AttributeAccuracyTest {

    /** A red circle at the top left and a blue square at the bottom right. */
    private static final Scene TWO = new Scene(List.of(
            new SceneObject(ShapeType.CIRCLE, Colour.RED, Size.LARGE, 0.15, 0.15),
            new SceneObject(ShapeType.SQUARE, Colour.BLUE, Size.SMALL, 0.85, 0.85)));

    @Test
    void everyReferenceCaptionIsRightAboutItsOwnScene() {
        ShapesDataset world = ShapesWorld.generate(ShapesWorldConfig.defaults(5).withCounts(300, 0, 0, 0));
        AttributeAccuracy acc = new AttributeAccuracy();
        for (Sample s : world.split(Split.TRAIN)) {
            for (String caption : s.captions()) {
                acc.add(caption, s.scene());
            }
        }
        assertEquals(1.0, acc.colour(), acc.toString());
        assertEquals(1.0, acc.shape(), acc.toString());
        assertEquals(1.0, acc.relation(), acc.toString());
    }

    @Test
    void eachMentionIsCheckedAgainstTheSceneByHand() {
        AttributeAccuracy acc = new AttributeAccuracy()
                .add("a red circle is left of a blue square", TWO) // colour 2/2, shape 2/2, relation 1/1
                .add("a blue square is left of a red circle", TWO) // colour 2/2, shape 2/2, relation 0/1
                .add("a green circle above a square", TWO); // colour 0/1 (no green circle), shape 2/2,
                                                              // relation 0/1 (no green circle to stand above)
        assertEquals(4.0 / 5, acc.colour(), 1e-12, acc.toString());
        assertEquals(1.0, acc.shape(), acc.toString());
        assertEquals(1.0 / 3, acc.relation(), 1e-12, acc.toString());
    }

    @Test
    void aColourIsRightOnlyOnTheShapeItModifiesAndAMissingShapeIsWrong() {
        AttributeAccuracy acc = new AttributeAccuracy().add("a blue circle and a red triangle", TWO);
        assertEquals(0.0, acc.colour(), acc.toString()); // red and blue are there, not on these shapes
        assertEquals(0.5, acc.shape(), acc.toString()); // the circle is there, no triangle
        assertTrue(Double.isNaN(acc.relation()), "no relation was mentioned: " + acc);
    }
}
