package org.qformerlab.blip2.data;

/**
 * The kinds of shape the shapes world draws. Five shapes are enough to make "what shape is red?" a
 * real question while keeping the vocabulary tiny; each is drawn so that it stays recognisable at
 * 64x64 pixels (see {@link SceneRenderer}).
 */
public enum ShapeType {
    CIRCLE("circle", "circles"),
    SQUARE("square", "squares"),
    TRIANGLE("triangle", "triangles"),
    DIAMOND("diamond", "diamonds"),
    CROSS("cross", "crosses");

    private final String word;
    private final String plural;

    ShapeType(String word, String plural) {
        this.word = word;
        this.plural = plural;
    }

    /** The singular noun used in captions and questions, e.g. {@code "circle"}. */
    public String word() {
        return word;
    }

    /** The plural noun, e.g. {@code "crosses"}. */
    public String plural() {
        return plural;
    }

    /** The singular noun for a count of one, the plural otherwise. */
    public String noun(long count) {
        return count == 1 ? word : plural;
    }

    /**
     * The shape a caption word names: in the singular ({@code "cross"}), or in the plural
     * ({@code "crosses"}) when {@code plural}; null for any other word.
     */
    public static ShapeType ofWord(String word, boolean plural) {
        for (ShapeType s : values()) {
            if ((plural ? s.plural : s.word).equals(word)) {
                return s;
            }
        }
        return null;
    }
}
