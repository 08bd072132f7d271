package org.qformerlab.blip2.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.Collection;

/**
 * Dynamic loss scaling for float16 training (Micikevicius et al., "Mixed Precision Training";
 * PyTorch's {@code GradScaler}). float16 has 5 exponent bits: gradients below about 6e-8 become 0
 * in a float16 backward pass. Multiplying the loss by a large scale {@code S} shifts every gradient
 * of the backward pass up by {@code S} into float16's range; dividing the float32 master gradients
 * by {@code S} afterwards gives the true gradients back. Too large a scale overflows instead, so
 * the scale adapts:
 *
 * <ul>
 *   <li>a step whose gradients hold an infinity or a NaN is skipped (no update: the weights and the
 *       optimizer's moments stay as they were) and the scale is halved;
 *   <li>after {@code growthInterval} clean steps in a row the scale doubles, to find the largest
 *       scale that does not overflow.
 * </ul>
 *
 * Scales are powers of two, so scaling and unscaling are exact in floating point. bfloat16 has
 * float32's exponent range and needs no scaling: {@link #off()} is the scaler that changes nothing
 * (scale 1, never skips), used for float32 and bfloat16.
 *
 * <p>One step: {@code backward(scaler.scale(loss))}, {@link #unscale} the gradients (before
 * clipping, which must see the true norm), then {@link #update} with whether they are finite,
 * which says whether to apply the update.
 */
public final class LossScaler {

    /** PyTorch's {@code GradScaler} defaults: start at 2^16, double after 2000 clean steps. */
    public static final double INITIAL_SCALE = 65536;
    public static final int GROWTH_INTERVAL = 2000;
    /**
     * Below this scale a run is diverging rather than overflowing (33 skipped steps in a row from
     * {@link #INITIAL_SCALE}): {@link #exhausted} says so, and the trainer stops.
     */
    public static final double MIN_SCALE = 1.0 / 65536;

    private final boolean enabled;
    private final int growthInterval;
    private double scale;
    private int cleanSteps;
    private long skippedSteps;

    private LossScaler(boolean enabled, double scale, int growthInterval) {
        this.enabled = enabled;
        this.scale = scale;
        this.growthInterval = growthInterval;
    }

    /** A dynamic scaler with PyTorch's defaults. */
    public static LossScaler dynamic() {
        return dynamic(INITIAL_SCALE, GROWTH_INTERVAL);
    }

    /**
     * A dynamic scaler.
     *
     * @param initialScale a power of two (so scaling is exact)
     * @param growthInterval clean steps in a row after which the scale doubles, at least 1
     */
    public static LossScaler dynamic(double initialScale, int growthInterval) {
        if (!(initialScale > 0) || Double.isInfinite(initialScale)
                || initialScale != Math.scalb(1.0, Math.getExponent(initialScale))) {
            throw new IllegalArgumentException("initial loss scale " + initialScale
                    + " must be a positive power of two (65536 is PyTorch's default)");
        }
        if (growthInterval < 1) {
            throw new IllegalArgumentException("loss-scale growth interval " + growthInterval + " must be at least 1");
        }
        return new LossScaler(true, initialScale, growthInterval);
    }

    /** The scaler that changes nothing: scale 1, every finite step applied (float32, bfloat16). */
    public static LossScaler off() {
        return new LossScaler(false, 1, Integer.MAX_VALUE);
    }

    /** Dynamic scaling for float16, none for float32 and bfloat16. */
    public static LossScaler forPrecision(Precision precision) {
        return precision == Precision.FLOAT16 ? dynamic() : off();
    }

    /** Whether this scaler scales (and may skip steps). */
    public boolean enabled() {
        return enabled;
    }

    /** The current scale. */
    public double scale() {
        return scale;
    }

    /** Clean steps since the last change of scale. */
    public int cleanSteps() {
        return cleanSteps;
    }

    /** Steps skipped for a non-finite gradient so far. */
    public long skippedSteps() {
        return skippedSteps;
    }

    /**
     * The loss to back-propagate: {@code loss} in float32 times the scale (the loss itself when off).
     * Runs inside the step's autograd recording.
     */
    public NDArray scale(NDArray loss) {
        if (!enabled) {
            return loss;
        }
        return Scalars.times(Autocast.full(loss), scale);
    }

    /**
     * Divides the gradients that a backward pass of {@link #scale}'d loss left in {@code params} by
     * the scale, in place: the true gradients (an infinity stays infinite, a NaN stays NaN).
     */
    public void unscale(Collection<Parameter> params) {
        if (!enabled || scale == 1) {
            return;
        }
        float inverse = (float) (1 / scale); // exact: the scale is a power of two
        try (GradMode ignored = GradMode.off()) {
            for (Parameter p : params) {
                if (!p.requiresGradient()) {
                    continue;
                }
                NDArray g = p.getArray().getGradient();
                try (NDManager s = g.getManager().newSubManager()) {
                    g.attach(s); // the handle getGradient made is freed here; the gradient itself stays
                    g.muli(inverse);
                }
            }
        }
    }

    /**
     * Records a step's outcome and adapts the scale.
     *
     * @param finite whether every (unscaled) gradient of the step is finite
     * @return whether to apply the update: false for a skipped step (then halve the scale)
     */
    public boolean update(boolean finite) {
        if (!enabled) {
            return finite;
        }
        if (!finite) {
            scale /= 2;
            cleanSteps = 0;
            skippedSteps++;
            return false;
        }
        if (++cleanSteps >= growthInterval) {
            scale *= 2;
            cleanSteps = 0;
        }
        return true;
    }

    /** Whether the scale has fallen below {@link #MIN_SCALE}: the gradients are not finite at any scale. */
    public boolean exhausted() {
        return enabled && scale < MIN_SCALE;
    }

    /** Restores the scale and the clean-step count a checkpoint holds ({@link #scale}, {@link #cleanSteps}). */
    public void restore(double scale, int cleanSteps, long skippedSteps) {
        if (!enabled) {
            throw new IllegalStateException("this loss scaler is off; a float16 checkpoint resumes with train.precision = float16");
        }
        this.scale = scale;
        this.cleanSteps = cleanSteps;
        this.skippedSteps = skippedSteps;
    }
}
