package org.qformerlab.blip2.data;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Test-side reading of the world's language: regular-expression alternatives for its words and a
 * way to find the objects a phrase names, computed from the scene independently of the writers.
 */
final class SceneOracle {

    static final String SIZE = alternatives(Stream.of(Size.values()).map(Size::word));
    static final String COLOUR = alternatives(Stream.of(Colour.values()).map(Colour::word));
    static final String SHAPE = alternatives(Stream.of(ShapeType.values()).map(ShapeType::word));
    static final String PLURAL = alternatives(Stream.of(ShapeType.values()).map(ShapeType::plural));
    static final String NUMBER = "(one|two|three|four|five|six|seven|eight|nine)";
    static final String RELATION = "(left of|right of|above|below)";
    static final String POSITION = alternatives(Stream.of(Position.values()).map(Position::phrase));

    private SceneOracle() {
    }

    /** Longest first, so "at the bottom right" is not read as "at the bottom". */
    private static String alternatives(Stream<String> words) {
        return words.sorted(Comparator.comparingInt(String::length).reversed()).collect(Collectors.joining("|", "(", ")"));
    }

    static int number(String word) {
        return List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine").indexOf(word);
    }

    /** Objects matching the given words; null words match anything. */
    static List<SceneObject> matching(Scene scene, String size, String colour, String shape) {
        return scene.objects().stream()
                .filter(o -> size == null || o.size().word().equals(size))
                .filter(o -> colour == null || o.colour().word().equals(colour))
                .filter(o -> shape == null || o.shape().word().equals(shape))
                .toList();
    }

    static ShapeType shapeFromPlural(String plural) {
        return Stream.of(ShapeType.values()).filter(s -> s.plural().equals(plural)).findFirst().orElseThrow();
    }

    /** Grid column/row computed straight from the coordinates, not through {@link Position}. */
    static int column(SceneObject o) {
        return (int) Math.floor(o.x() * 3);
    }

    static int row(SceneObject o) {
        return (int) Math.floor(o.y() * 3);
    }

    static boolean relationHolds(String relation, SceneObject a, SceneObject b) {
        return switch (relation) {
            case "left of" -> column(a) < column(b);
            case "right of" -> column(a) > column(b);
            case "above" -> row(a) < row(b);
            case "below" -> row(a) > row(b);
            default -> throw new IllegalArgumentException(relation);
        };
    }
}
