package org.qformerlab.blip2.report;

import java.awt.Color;

/**
 * A sequential colour scale (viridis: dark purple for low, yellow for high), perceptually uniform
 * and legible in grey scale and for colour-blind readers.
 */
final class ColorScale {

    private static final Color[] STOPS = {
        new Color(0x440154), new Color(0x3B528B), new Color(0x21918C), new Color(0x5EC962), new Color(0xFDE725),
    };

    private ColorScale() {
    }

    /** The colour of {@code t} in [0, 1] (clamped), interpolated linearly between the stops. */
    static Color at(double t) {
        double clamped = Math.max(0.0, Math.min(1.0, t));
        double position = clamped * (STOPS.length - 1);
        int lower = Math.min((int) Math.floor(position), STOPS.length - 2);
        double f = position - lower;
        Color a = STOPS[lower];
        Color b = STOPS[lower + 1];
        return new Color(mix(a.getRed(), b.getRed(), f), mix(a.getGreen(), b.getGreen(), f),
                mix(a.getBlue(), b.getBlue(), f));
    }

    /** The colour of {@code value} on the scale from {@code min} to {@code max}. */
    static Color at(double value, double min, double max) {
        return at(max > min ? (value - min) / (max - min) : 0.5);
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round(a + (b - a) * f);
    }
}
