package org.qformerlab.blip2.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

/**
 * The precision guard. Creating a bfloat16 array through DJL's JNI aborts the JVM, so this test
 * never casts anything: it proves that the refusal comes first, as an exception with a message.
 */
class PrecisionTest {

    @Test
    void bfloat16OnCpuIsRefusedBeforeAnyCast() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Precision.resolve("bf16", Device.cpu()));
        assertTrue(e.getMessage().startsWith("precision bfloat16 is refused on cpu(): DJL's PyTorch JNI")
                && e.getMessage().contains("aborts the JVM"), e.getMessage());
        assertTrue(e.getMessage().contains("use --precision float16 (train.precision = float16) on a GPU, or float32"),
                "names the fix: " + e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
        assertThrows(IllegalArgumentException.class, () -> Precision.BFLOAT16.check(Device.cpu(), true),
                "the CPU float16 opt-in does not let bfloat16 through: it would abort the JVM");
    }

    @Test
    void float16OnCpuIsRefusedToo() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Precision.FLOAT16.check(Device.cpu()));
        assertTrue(e.getMessage().startsWith("precision float16 is refused on cpu(): float16 is for GPUs")
                && e.getMessage().contains("--precision float32") && e.getMessage().contains("--device gpu"), e.getMessage());
    }

    /**
     * DJL's JNI aborts on any bfloat16 array whatever the device (its native type table lacks it), so
     * a GPU refuses bfloat16 too, unless the experts' property says the DJL in use can make one.
     */
    @Test
    void bfloat16IsRefusedOnGpusTooUnlessTheDjlInUseIsSaidToSupportIt() {
        var e = assertThrows(IllegalArgumentException.class, () -> Precision.resolve("bf16", Device.gpu()));
        assertTrue(e.getMessage().startsWith("precision bfloat16 is refused on gpu(0): DJL's PyTorch JNI"), e.getMessage());
        String before = System.getProperty(Precision.BFLOAT16_PROPERTY);
        try {
            System.setProperty(Precision.BFLOAT16_PROPERTY, "true");
            assertSame(Precision.BFLOAT16, Precision.resolve("bfloat16", Device.gpu()));
            assertThrows(IllegalArgumentException.class, () -> Precision.BFLOAT16.check(Device.cpu(), true),
                    "never on a CPU");
        } finally {
            if (before == null) {
                System.clearProperty(Precision.BFLOAT16_PROPERTY);
            } else {
                System.setProperty(Precision.BFLOAT16_PROPERTY, before);
            }
        }
    }

    /** The opt-in for tests and experts: given, or read from the system property, and for float16 only. */
    @Test
    void float16OnCpuPassesWithTheExplicitOptIn() {
        assertSame(Precision.FLOAT16, Precision.FLOAT16.check(Device.cpu(), true));
        String before = System.getProperty(Precision.CPU_FLOAT16_PROPERTY);
        try {
            System.setProperty(Precision.CPU_FLOAT16_PROPERTY, "true");
            assertSame(Precision.FLOAT16, Precision.resolve("fp16", Device.cpu()));
            assertEquals(java.util.List.of(Precision.FLOAT32, Precision.FLOAT16), Precision.accepted(Device.cpu()));
        } finally {
            if (before == null) {
                System.clearProperty(Precision.CPU_FLOAT16_PROPERTY);
            } else {
                System.setProperty(Precision.CPU_FLOAT16_PROPERTY, before);
            }
        }
        assertEquals(java.util.List.of(Precision.FLOAT32), Precision.accepted(Device.cpu()), "without it, float32 only");
        assertEquals(java.util.List.of(Precision.FLOAT32, Precision.FLOAT16), Precision.accepted(Device.gpu()));
    }

    @Test
    void float32IsFineEverywhereAndReducedPrecisionOnGpus() {
        assertSame(Precision.FLOAT32, Precision.resolve("float32", Device.cpu()));
        assertSame(Precision.FLOAT32, Precision.resolve(null, Device.cpu()));
        // checking is pure logic on the device description: no GPU is needed to prove it
        assertSame(Precision.FLOAT16, Precision.resolve("half", Device.gpu(1)));
        assertEquals(DataType.BFLOAT16, Precision.BFLOAT16.dataType());
    }

    @Test
    void unknownNamesAreRejectedWithTheChoices() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Precision.parse("float8"));
        assertTrue(e.getMessage().contains("float32, float16 or bfloat16"), e.getMessage());
    }
}
