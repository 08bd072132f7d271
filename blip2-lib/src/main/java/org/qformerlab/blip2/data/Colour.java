package org.qformerlab.blip2.data;

/**
 * The colours of the shapes world: six hues far apart in RGB space (and from the near-black
 * {@link SceneRenderer#BACKGROUND background}), so a pixel's colour tells its object's colour
 * unambiguously.
 */
public enum Colour {
    RED("red", 230, 30, 30),
    GREEN("green", 40, 180, 60),
    BLUE("blue", 40, 80, 230),
    YELLOW("yellow", 240, 220, 40),
    PURPLE("purple", 150, 60, 200),
    CYAN("cyan", 40, 210, 220);

    private final String word;
    private final int rgb;

    Colour(String word, int r, int g, int b) {
        this.word = word;
        this.rgb = (r << 16) | (g << 8) | b;
    }

    /** The adjective used in captions and questions, e.g. {@code "red"}. */
    public String word() {
        return word;
    }

    /** The colour packed as {@code 0xRRGGBB}, as {@link java.awt.image.BufferedImage#getRGB} reports it. */
    public int rgb() {
        return rgb;
    }

    /** The colour a caption word names ({@code "red"}), or null. */
    public static Colour ofWord(String word) {
        for (Colour c : values()) {
            if (c.word.equals(word)) {
                return c;
            }
        }
        return null;
    }
}
