package org.qformerlab.blip2.data;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Chooses which (colour, shape) combinations are held out of training for the compositional split.
 *
 * <p>The choice is spread out: no colour and no shape loses more than its fair share of
 * combinations, so every colour and every shape is still seen in training with other partners. A
 * model that learnt "red" and "circle" separately can therefore, in principle, recognise a red
 * circle without ever having seen one — which is what the compositional split measures.
 */
public final class CompositionalHoldout {

    private static final long SALT = 0x48_4F_4C_44L; // "HOLD"
    private static final int MAX_TRIES = 10_000;

    private CompositionalHoldout() {
    }

    /** Number of combinations held out for a fraction of all combinations (rounded, at least 0). */
    public static int size(double fraction) {
        return (int) Math.round(fraction * ShapeType.values().length * Colour.values().length);
    }

    /**
     * The held-out combinations for a seed: {@link #size(double)} of them, at most
     * {@code ceil(k / #colours)} per colour and {@code ceil(k / #shapes)} per shape.
     */
    public static SortedSet<ColourShape> choose(long seed, double fraction) {
        if (!(fraction >= 0 && fraction <= 0.5)) {
            throw new IllegalArgumentException("fraction must be in [0, 0.5], got " + fraction);
        }
        int k = size(fraction);
        int perColour = ceilDiv(k, Colour.values().length);
        int perShape = ceilDiv(k, ShapeType.values().length);
        SplittableRandom rng = Randoms.stream(seed, SALT);
        for (int attempt = 0; attempt < MAX_TRIES; attempt++) {
            List<ColourShape> pairs = Randoms.shuffled(ColourShape.all(), rng);
            Map<Colour, Integer> colourUse = new EnumMap<>(Colour.class);
            Map<ShapeType, Integer> shapeUse = new EnumMap<>(ShapeType.class);
            SortedSet<ColourShape> chosen = new TreeSet<>();
            for (ColourShape p : pairs) {
                if (chosen.size() == k) {
                    break;
                }
                if (colourUse.getOrDefault(p.colour(), 0) < perColour && shapeUse.getOrDefault(p.shape(), 0) < perShape) {
                    chosen.add(p);
                    colourUse.merge(p.colour(), 1, Integer::sum);
                    shapeUse.merge(p.shape(), 1, Integer::sum);
                }
            }
            if (chosen.size() == k) {
                return Collections.unmodifiableSortedSet(chosen);
            }
        }
        throw new IllegalStateException("could not spread " + k + " held-out combinations evenly");
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
