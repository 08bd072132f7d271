package org.qformerlab.blip2.data;

import java.util.List;

/** The bits of English grammar that captions and questions share: numbers, articles, lists. */
final class Phrases {

    private static final String[] NUMBERS = {
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"
    };

    /** How much of an object a noun phrase names. */
    enum Detail {
        /** "circle" */
        SHAPE,
        /** "red circle" */
        COLOUR_SHAPE,
        /** "large red circle" */
        FULL
    }

    private Phrases() {
    }

    /** The number as a word ("three"); digits beyond nine. */
    static String number(int n) {
        return n >= 0 && n < NUMBERS.length ? NUMBERS[n] : Integer.toString(n);
    }

    /** The noun phrase without article, e.g. {@code "large red circle"}. */
    static String noun(SceneObject o, Detail detail) {
        return switch (detail) {
            case SHAPE -> o.shape().word();
            case COLOUR_SHAPE -> o.colour().word() + " " + o.shape().word();
            case FULL -> o.size().word() + " " + o.colour().word() + " " + o.shape().word();
        };
    }

    /** The phrase with "a" or "an" in front. */
    static String indefinite(String phrase) {
        boolean vowel = !phrase.isEmpty() && "aeiou".indexOf(phrase.charAt(0)) >= 0;
        return (vowel ? "an " : "a ") + phrase;
    }

    /** "x", "x and y", "x, y and z". */
    static String and(List<String> items) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("nothing to list");
        }
        if (items.size() == 1) {
            return items.get(0);
        }
        return String.join(", ", items.subList(0, items.size() - 1)) + " and " + items.get(items.size() - 1);
    }
}
