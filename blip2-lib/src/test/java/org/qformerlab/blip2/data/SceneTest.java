package org.qformerlab.blip2.data;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SceneTest {

    static SceneObject at(Position cell, Size size, Colour colour, ShapeType shape) {
        double half = 0.5 / Position.GRID;
        return new SceneObject(shape, colour, size, cell.minX() + half, cell.minY() + half);
    }

    @Test
    void positionIsTheGridCellOfTheCoordinates() {
        assertEquals(Position.TOP_LEFT, Position.of(0.0, 0.0));
        assertEquals(Position.TOP_RIGHT, Position.of(0.9, 0.1));
        assertEquals(Position.CENTRE, Position.of(0.5, 0.5));
        assertEquals(Position.LEFT, Position.of(0.2, 0.5));
        assertEquals(Position.BOTTOM, Position.of(0.5, 0.99));
        assertEquals(Position.BOTTOM_RIGHT, Position.of(0.999, 0.999));
        assertThrows(IllegalArgumentException.class, () -> Position.of(1.0, 0.5));
        for (Position p : Position.values()) {
            assertEquals(p, Position.at(p.row(), p.column()));
        }
    }

    @Test
    void anObjectMustFitInsideItsCell() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SceneObject(ShapeType.CIRCLE, Colour.RED, Size.LARGE, 0.34, 0.5));
        assertTrue(e.getMessage().contains("does not fit inside its grid cell"), e.getMessage());
    }

    @Test
    void sceneRejectsSharedCellsAndRepeatedCombinations() {
        SceneObject a = at(Position.CENTRE, Size.LARGE, Colour.RED, ShapeType.CIRCLE);
        IllegalArgumentException shared = assertThrows(IllegalArgumentException.class,
                () -> new Scene(List.of(a, at(Position.CENTRE, Size.SMALL, Colour.BLUE, ShapeType.SQUARE))));
        assertTrue(shared.getMessage().contains("share the grid cell centre"), shared.getMessage());
        IllegalArgumentException repeated = assertThrows(IllegalArgumentException.class,
                () -> new Scene(List.of(a, at(Position.TOP, Size.SMALL, Colour.RED, ShapeType.CIRCLE))));
        assertTrue(repeated.getMessage().contains("'red circle' appears twice"), repeated.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Scene(List.of()));
    }

    @Test
    void descriptionIsCanonicalWhateverTheObjectOrder() {
        SceneObject a = at(Position.BOTTOM_RIGHT, Size.SMALL, Colour.BLUE, ShapeType.SQUARE);
        SceneObject b = at(Position.TOP_LEFT, Size.LARGE, Colour.RED, ShapeType.CIRCLE);
        Scene ab = new Scene(List.of(a, b));
        Scene ba = new Scene(List.of(b, a));
        assertEquals(ab, ba);
        assertEquals("large red circle at top left; small blue square at bottom right", ab.description());
        assertEquals(List.of(b, a), ab.objects());
    }

    @Test
    void relationsFollowTheGrid() {
        SceneObject topLeft = at(Position.TOP_LEFT, Size.SMALL, Colour.RED, ShapeType.CIRCLE);
        SceneObject bottomLeft = at(Position.BOTTOM_LEFT, Size.SMALL, Colour.BLUE, ShapeType.CIRCLE);
        SceneObject centre = at(Position.CENTRE, Size.SMALL, Colour.GREEN, ShapeType.CIRCLE);
        assertEquals(List.of(Relation.ABOVE), Relation.holding(topLeft, bottomLeft));
        assertEquals(List.of(Relation.BELOW), Relation.holding(bottomLeft, topLeft));
        assertEquals(List.of(Relation.LEFT_OF, Relation.ABOVE), Relation.holding(topLeft, centre));
        assertFalse(Relation.LEFT_OF.holds(topLeft, bottomLeft), "same column: neither left nor right");
    }

    @Test
    void countsByAttribute() {
        Scene scene = new Scene(List.of(
                at(Position.TOP, Size.SMALL, Colour.RED, ShapeType.CIRCLE),
                at(Position.LEFT, Size.LARGE, Colour.RED, ShapeType.SQUARE),
                at(Position.RIGHT, Size.LARGE, Colour.BLUE, ShapeType.CIRCLE)));
        assertEquals(3, scene.size());
        assertEquals(2, scene.count(ShapeType.CIRCLE));
        assertEquals(2, scene.count(Colour.RED));
        assertEquals(1, scene.count(Size.LARGE, ShapeType.CIRCLE));
        assertTrue(scene.containsAny(List.of(new ColourShape(Colour.BLUE, ShapeType.CIRCLE))));
        assertFalse(scene.containsAny(List.of(new ColourShape(Colour.BLUE, ShapeType.SQUARE))));
    }
}
