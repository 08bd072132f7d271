package org.qformerlab.kernel.display;

import java.util.function.LongSupplier;

/**
 * Lets an updating display redraw at most once per interval: a training loop may report every
 * step, but the notebook needs a new picture only every second or so.
 */
final class Throttle {

    private final long intervalNanos;
    private final LongSupplier clock;
    private long last = Long.MIN_VALUE;

    Throttle(long intervalMillis, LongSupplier clockNanos) {
        this.intervalNanos = intervalMillis * 1_000_000L;
        this.clock = clockNanos;
    }

    /** True when the interval has passed since the last redraw (and records this one). */
    synchronized boolean ready() {
        long now = clock.getAsLong();
        if (last != Long.MIN_VALUE && now - last < intervalNanos) {
            return false;
        }
        last = now;
        return true;
    }
}
