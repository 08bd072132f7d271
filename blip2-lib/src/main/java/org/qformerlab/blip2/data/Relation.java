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

    /** Whether two different objects of the scene, one matching {@code a} and one {@code b}, stand as "a [this] b". */
    public boolean holdsBetween(Scene scene, java.util.function.Predicate<SceneObject> a,
                                java.util.function.Predicate<SceneObject> b) {
        for (SceneObject x : scene.objects()) {
            for (SceneObject y : scene.objects()) {
                if (x != y && a.test(x) && b.test(y) && holds(x, y)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The relation whose phrase starts at word {@code i} ("left of", "right of", "above", "below"), or null. */
    public static Relation startingAt(List<String> words, int i) {
        for (Relation r : values()) {
            List<String> phrase = List.of(r.phrase.split(" "));
            if (i + phrase.size() <= words.size() && words.subList(i, i + phrase.size()).equals(phrase)) {
                return r;
            }
        }
        return null;
    }
}
