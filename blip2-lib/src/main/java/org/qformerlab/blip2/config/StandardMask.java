package org.qformerlab.blip2.config;

/**
 * BLIP-2's three self-attention masks over [Q queries ; T text tokens] (row attends to column):
 *
 * <ul>
 *   <li>{@link #UNIMODAL} (ITC's): queries see queries only, text sees text only; neither can
 *       peek at the other, so the contrastive task cannot be solved by copying.
 *   <li>{@link #MULTIMODAL_CAUSAL} (ITG's): queries see queries only; text token i sees every
 *       query and the text tokens up to i, so generation is grounded in the queries and cannot
 *       look ahead.
 *   <li>{@link #BIDIRECTIONAL} (ITM's): everything sees everything, for fine-grained matching.
 * </ul>
 *
 * Written in a config by name ({@code itcMask: UNIMODAL}); {@code uni-modal}, {@code multimodal causal}
 * and {@code bi-directional} are read too.
 */
public enum StandardMask implements MaskSpec {
    UNIMODAL("uni-modal"),
    MULTIMODAL_CAUSAL("multimodal causal"),
    BIDIRECTIONAL("bi-directional");

    private final String label;

    StandardMask(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public boolean allows(int row, int col, int numQueries, int textLength) {
        int q = numQueries;
        return switch (this) {
            case UNIMODAL -> (row < q) == (col < q);
            case MULTIMODAL_CAUSAL -> row < q ? col < q : col <= row;
            case BIDIRECTIONAL -> true;
        };
    }

    /** The mask named {@code text}, ignoring case, spaces, hyphens and underscores; null if none. */
    static StandardMask named(String text) {
        String key = text.replaceAll("[^A-Za-z]", "").toUpperCase(java.util.Locale.ROOT);
        for (StandardMask m : values()) {
            if (m.name().replace("_", "").equals(key)) {
                return m;
            }
        }
        return null;
    }
}
