package org.qformerlab.blip2.data;

import java.util.ArrayList;
import java.util.List;

/**
 * A spatial relation between two objects, decided on the {@link Position} grid: "a left of b" holds
 * when a's column is further left than b's. Two objects in the same column are neither left nor
 * right of each other, which keeps every relation clear-cut (no "slightly left of").
 */
public enum Relation {
    LEFT_OF("left of"),
    RIGHT_OF("right of"),
    ABOVE("above"),
    BELOW("below");

    private final String phrase;

    Relation(String phrase) {
        this.phrase = phrase;
    }

    /** The words used in captions and questions, e.g. {@code "left of"}. */
    public String phrase() {
        return phrase;
    }

    /** Whether "a [this relation] b" is true. */
    public boolean holds(SceneObject a, SceneObject b) {
        Position pa = a.position();
        Position pb = b.position();
        return switch (this) {
            case LEFT_OF -> pa.column() < pb.column();
            case RIGHT_OF -> pa.column() > pb.column();
            case ABOVE -> pa.row() < pb.row();
            case BELOW -> pa.row() > pb.row();
        };
    }

    /** The relations that hold from a to b (at least one when a and b occupy different cells). */
    public static List<Relation> holding(SceneObject a, SceneObject b) {
        List<Relation> result = new ArrayList<>();
        for (Relation r : values()) {
            if (r.holds(a, b)) {
                result.add(r);
            }
        }
        return result;
    }
}
