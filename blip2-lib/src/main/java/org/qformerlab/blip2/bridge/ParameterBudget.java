package org.qformerlab.blip2.bridge;

import java.util.function.IntFunction;
import org.qformerlab.blip2.config.ConfigException;

/**
 * Sizes a bridge to a number of trainable parameters, so that bridges are compared at equal size
 * ({@code stage2.bridge.parameterBudget}). A bridge that can be sized has one width knob w, a
 * multiple of some step (the heads, so that each head keeps whole dimensions), and more width
 * means more parameters; the rule picks the w whose bridge's trainable parameters (its projection
 * to the LLM included) come closest to the budget:
 *
 * <pre>
 *   w = argmin over w in {step, 2 step, ...} of | trainable(bridge(w)) - budget |
 * </pre>
 *
 * The count is taken from the bridge itself ({@link org.qformerlab.blip2.nn.Module#parameterCount}),
 * built without weights, so the rule can never disagree with what trains. One width step moves
 * the count by a small fraction of it at the widths studies use; a budget that no width reaches
 * within {@link #TOLERANCE} (below the narrowest bridge) is rejected with the nearest counts.
 */
public final class ParameterBudget {

    /** How far from the budget a sized bridge may land, as a fraction of the budget. */
    public static final double TOLERANCE = 0.02;

    private ParameterBudget() {}

    /** The trainable parameters of a bridge: what stage 2 updates. */
    public static long trainable(Bridge bridge) {
        return bridge.parameterCount(true);
    }

    /**
     * The bridge {@code atWidth(w)} whose trainable parameters are closest to {@code budget}.
     *
     * @param atWidth the bridge at width w (not initialised; only counted here)
     * @param step w runs over multiples of it
     * @param what the bridge and its knob, for the error message (e.g. "perceiver (its width)")
     * @throws ConfigException if even the closest width misses the budget by more than {@link #TOLERANCE}
     */
    public static Bridge sized(IntFunction<Bridge> atWidth, int step, long budget, String what) {
        long k = firstAtLeast(atWidth, step, budget, what);
        long lo = k;
        Bridge above = atWidth.apply((int) (lo * step));
        Bridge best = above;
        if (lo > 1) {
            Bridge below = atWidth.apply((int) ((lo - 1) * step));
            if (budget - trainable(below) < trainable(above) - budget) {
                best = below;
            }
        }
        long count = trainable(best);
        if (Math.abs(count - budget) > TOLERANCE * budget) {
            throw new ConfigException("stage2.bridge.parameterBudget=" + budget + " cannot be met by the " + what
                    + ": the closest has " + count + " trainable parameters (more than " + Math.round(100 * TOLERANCE)
                    + "% off); raise the budget to at least " + trainable(atWidth.apply(step))
                    + ", or leave it out");
        }
        return best;
    }

    /**
     * The widest w (a multiple of {@code step}, at least {@code step}) whose bridge stays within
     * the budget: where a second, finer knob then takes the count the rest of the way.
     */
    public static int widestWithin(IntFunction<Bridge> atWidth, int step, long budget, String what) {
        long k = firstAtLeast(atWidth, step, budget, what);
        if (trainable(atWidth.apply((int) (k * step))) > budget && k > 1) {
            k--;
        }
        return (int) (k * step);
    }

    /** The smallest k with trainable(atWidth(k step)) >= budget: doubling, then bisection. */
    private static long firstAtLeast(IntFunction<Bridge> atWidth, int step, long budget, String what) {
        if (budget < 1) {
            throw new ConfigException("stage2.bridge.parameterBudget=" + budget + " for the " + what
                    + " must be at least 1, or left out to size every bridge by the Q-Former's widths");
        }
        long hi = 1;
        while (trainable(atWidth.apply((int) (hi * step))) < budget && hi * step < (1 << 20)) {
            hi *= 2;
        }
        long lo = 1;
        while (lo < hi) {
            long mid = (lo + hi) / 2;
            if (trainable(atWidth.apply((int) (mid * step))) < budget) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
