package org.qformerlab.blip2.nn;

import ai.djl.engine.Engine;
import java.util.SplittableRandom;

/**
 * The one place where randomness is seeded. Two generators draw the random numbers of a run: the
 * engine's (initialisation, negatives, and dropout on a GPU) and {@link #dropout()}, which draws
 * dropout masks on the CPU (see {@link org.qformerlab.blip2.nn.Dropout} for why). Seeding
 * both here keeps a run bit-reproducible: the same seed gives the same masks.
 */
public final class Seeds {

    private static SplittableRandom dropout = new SplittableRandom(0);

    private Seeds() {}

    /** Seeds the engine and the dropout generator; the trainer calls this before every step. */
    public static synchronized void set(long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        dropout = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
    }

    /** A fresh, independent generator split off the dropout stream (one per mask). */
    public static synchronized SplittableRandom dropout() {
        return dropout.split();
    }
}
