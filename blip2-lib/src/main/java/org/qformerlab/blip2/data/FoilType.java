package org.qformerlab.blip2.data;

/**
 * How a binding foil ({@link BindingFoils}) departs from its image's true caption. Two kinds keep
 * every word and change only which word goes with which (a bag-of-words matcher cannot tell them
 * from the truth), two change one word.
 */
public enum FoilType {
    /** "a red circle and a blue square" -> "a blue circle and a red square": the same words. */
    ATTRIBUTE_SWAP("attribute swap", true),
    /** "a red circle is left of a blue square" -> "a blue square is left of a red circle": the same words. */
    RELATION_SWAP("relation swap", true),
    /** "two circles and a triangle" -> "three circles and a triangle": one count changed. */
    COUNT_CHANGE("count change", false),
    /** "a large red circle and a small blue square" -> "a small red circle and ...": one size changed. */
    SIZE_CHANGE("size change", false);

    private final String label;
    private final boolean sameWords;

    FoilType(String label, boolean sameWords) {
        this.label = label;
        this.sameWords = sameWords;
    }

    /** How tables name it, e.g. {@code "attribute swap"}. */
    public String label() {
        return label;
    }

    /** The metric-name form, e.g. {@code "attribute_swap"}. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether the foil has exactly the true caption's words, only bound differently. */
    public boolean sameWords() {
        return sameWords;
    }
}
