package org.qformerlab.blip2.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A (colour, shape) combination such as "red circle": the unit of compositional generalisation.
 * The compositional split holds some of these combinations out of training entirely.
 */
public record ColourShape(Colour colour, ShapeType shape) implements Comparable<ColourShape> {

    private static final Comparator<ColourShape> ORDER =
            Comparator.comparing(ColourShape::shape).thenComparing(ColourShape::colour);

    public ColourShape {
        if (colour == null || shape == null) {
            throw new IllegalArgumentException("colour and shape must not be null");
        }
    }

    /** All combinations, in a fixed order (by shape, then colour). */
    public static List<ColourShape> all() {
        List<ColourShape> all = new ArrayList<>();
        for (ShapeType s : ShapeType.values()) {
            for (Colour c : Colour.values()) {
                all.add(new ColourShape(c, s));
            }
        }
        return all;
    }

    @Override
    public int compareTo(ColourShape other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return colour.word() + " " + shape.word();
    }
}
