package org.qformerlab.blip2.train;

import java.util.function.Supplier;

/**
 * The batch of each training step, as a function of the step index. The {@link Trainer} asks for
 * the batch of step {@code s} and nothing else, so a run resumed at step {@code N} sees exactly the
 * batches an uninterrupted run sees from step {@code N} on.
 *
 * @param <B> what a step trains on (sample indices, token windows, masks), not yet tensors
 */
@FunctionalInterface
public interface BatchSource<B> {

    /** The batch of step {@code step} (0-based). */
    B at(long step);

    /**
     * A sequential draw (shuffled passes over a pool, a seeded generator of offsets or masks) made a
     * function of the step: {@code start} makes the draw afresh from its seed, and the batch of step
     * {@code s} is its {@code s}-th draw. Asking for the next step draws once; asking for a later
     * one draws and discards the steps between (a resumed run); asking for an earlier one starts
     * the draw over. The draws are indices, not tensors, so replaying thousands of them is cheap.
     */
    static <B> BatchSource<B> replaying(Supplier<? extends Supplier<? extends B>> start) {
        return new BatchSource<>() {
            private Supplier<? extends B> draw;
            private long next;
            private B last;

            @Override
            public synchronized B at(long step) {
                if (step < 0) {
                    throw new IllegalArgumentException("step " + step + " is negative");
                }
                if (draw != null && step == next - 1) { // the same step again (the trainer re-runs a diverged step)
                    return last;
                }
                if (draw == null || step < next) {
                    draw = start.get();
                    next = 0;
                }
                for (; next < step; next++) {
                    draw.get();
                }
                next++;
                last = draw.get();
                return last;
            }
        };
    }
}
