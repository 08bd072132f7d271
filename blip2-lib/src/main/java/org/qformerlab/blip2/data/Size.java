package org.qformerlab.blip2.data;

/**
 * The two object sizes. A size is a radius given as a fraction of the image side, so a scene looks
 * the same at every image size. Both radii fit inside one cell of the 3x3 {@link Position} grid,
 * which is what keeps objects from overlapping.
 */
public enum Size {
    SMALL("small", 0.075),
    LARGE("large", 0.13);

    private final String word;
    private final double radius;

    Size(String word, double radius) {
        this.word = word;
        this.radius = radius;
    }

    /** The adjective used in captions and questions. */
    public String word() {
        return word;
    }

    /** Half the side of the object's bounding box, as a fraction of the image side. */
    public double radius() {
        return radius;
    }

    /** The size a caption word names ({@code "large"}), or null. */
    public static Size ofWord(String word) {
        for (Size s : values()) {
            if (s.word.equals(word)) {
                return s;
            }
        }
        return null;
    }
}
