package org.qformerlab.ablations;

/** Which direction of a metric is an improvement: recall is {@code higher}, a loss {@code lower}. */
public enum Better {
    HIGHER,
    LOWER;

    /** True when {@code a} is an improvement over {@code b}. */
    public boolean improves(double a, double b) {
        return this == HIGHER ? a > b : a < b;
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
