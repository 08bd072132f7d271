package org.qformerlab.blip2.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class BatchSourceTest {

    /** A seeded draw; counts how often it is started afresh and how many draws it makes. */
    private static final class Draws {
        final AtomicInteger starts = new AtomicInteger();
        final AtomicInteger draws = new AtomicInteger();

        Supplier<Supplier<Integer>> start() {
            return () -> {
                starts.incrementAndGet();
                SplittableRandom rng = new SplittableRandom(7);
                return () -> {
                    draws.incrementAndGet();
                    return rng.nextInt(1000);
                };
            };
        }
    }

    @Test
    void theBatchOfAStepIsTheDrawOfThatStepInWhateverOrderStepsAreAsked() {
        SplittableRandom reference = new SplittableRandom(7);
        int[] expected = new int[10];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = reference.nextInt(1000);
        }
        Draws d = new Draws();
        BatchSource<Integer> batches = BatchSource.replaying(d.start());
        assertEquals(expected[0], batches.at(0));
        assertEquals(expected[1], batches.at(1));
        assertEquals(expected[6], batches.at(6)); // a resumed run: steps 2 to 5 drawn and discarded
        assertEquals(1, d.starts.get());
        assertEquals(7, d.draws.get());
        assertEquals(expected[3], batches.at(3)); // an earlier step: the draw starts over
        assertEquals(2, d.starts.get());
        assertEquals(11, d.draws.get());
        assertEquals(expected[4], batches.at(4));
        assertEquals(12, d.draws.get());
    }

    @Test
    void askingForTheSameStepAgainDrawsNothing() {
        Draws d = new Draws();
        BatchSource<Integer> batches = BatchSource.replaying(d.start());
        Integer first = batches.at(3);
        assertSame(first, batches.at(3));
        assertEquals(4, d.draws.get());
        assertEquals(1, d.starts.get());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> batches.at(-1));
        assertEquals("step -1 is negative", e.getMessage());
    }
}
