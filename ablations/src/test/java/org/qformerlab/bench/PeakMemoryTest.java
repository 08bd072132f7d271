package org.qformerlab.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The peak resident set rises with a large array, and after a reset no longer counts it. */
class PeakMemoryTest {

    @Test
    void resetForgetsAPeakThatIsGone() {
        double before = PeakMemory.peakResidentMb();
        assertTrue(before > 0, "a peak is read on Linux: " + before);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray big = m.ones(new Shape(64L << 20)); // 256 MiB, every page written
            assertTrue(big.sum().getFloat() > 0);
            double withArray = PeakMemory.peakResidentMb();
            assertTrue(withArray >= 200, "the peak holds the 256 MiB array: " + withArray + " MiB");
            big.close();
            assertTrue(PeakMemory.reset(), "/proc/self/clear_refs is writable");
            double after = PeakMemory.peakResidentMb();
            // the array's pages went back to the system (an allocation this large is mapped on its own)
            assertTrue(after < withArray - 200, "after the reset the peak is " + after + " MiB, was " + withArray);
        }
    }
}
