package org.qformerlab.blip2.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import static org.qformerlab.blip2.checkpoint.SafetensorsBytes.entry;
import static org.junit.jupiter.api.Assertions.assertFalse;
import java.util.Map;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Tensor-by-tensor safetensors reading: the dtypes released checkpoints use, and broken files named. */
class SafetensorsFileTest {

    /** A safetensors file written byte by byte: F32 [2], F16 [2], BF16 [2, 1]. */
    private static byte[] handWritten() throws Exception {
        ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        data.putFloat(1.5f).putFloat(-2.25f);          // F32, bytes 0-8
        data.putShort((short) 0x3800).putShort((short) 0xC200); // F16 0.5, -3.0, bytes 8-12
        data.putShort((short) 0x3F80).putShort((short) 0xBE20); // BF16 1.0, -0.15625, bytes 12-16
        String header = "{\"__metadata__\": {\"format\": \"pt\"},"
                + " \"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                + " \"h\": {\"dtype\": \"F16\", \"shape\": [2], \"data_offsets\": [8, 12]},"
                + " \"b\": {\"dtype\": \"BF16\", \"shape\": [2, 1], \"data_offsets\": [12, 16]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.write(h);
        out.write(data.array());
        return out.toByteArray();
    }

    @Test
    void readsFloat32Float16AndBfloat16TensorByTensor(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("w.safetensors"), handWritten());
        SafetensorsFile f = SafetensorsFile.open(file);
        assertEquals(Map.of("a", new Shape(2), "h", new Shape(2), "b", new Shape(2, 1)), f.shapes());
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> all = f.readAll(m);
            assertArrayEquals(new float[] {1.5f, -2.25f}, all.get("a").toFloatArray());
            assertEquals(DataType.FLOAT16, all.get("h").getDataType());
            assertArrayEquals(new float[] {0.5f, -3f}, all.get("h").toType(DataType.FLOAT32, false).toFloatArray());
            NDArray b = all.get("b");
            assertEquals(DataType.FLOAT32, b.getDataType(), "bfloat16 is widened on the host");
            assertEquals(new Shape(2, 1), b.getShape());
            assertArrayEquals(new float[] {1f, -0.15625f}, b.toFloatArray());
            assertEquals("b", b.getName());
        }
    }

    @Test
    void brokenFilesAreNamed(@TempDir Path dir) throws Exception {
        byte[] good = handWritten();
        Path truncated = Files.write(dir.resolve("cut.safetensors"), Arrays.copyOf(good, good.length - 3));
        CheckpointException cut = assertThrows(CheckpointException.class, () -> SafetensorsFile.open(truncated));
        assertTrue(cut.getMessage().contains(truncated.toString()) && cut.getMessage().contains("truncated"),
                cut.getMessage());
        Path tiny = Files.write(dir.resolve("tiny.safetensors"), new byte[] {1, 2});
        assertTrue(assertThrows(CheckpointException.class, () -> SafetensorsFile.open(tiny)).getMessage()
                .contains("no safetensors header"));
        CheckpointException none = assertThrows(CheckpointException.class,
                () -> SafetensorsFile.open(dir.resolve("none.safetensors")));
        assertTrue(none.getMessage().contains("checkpoint file not found"), none.getMessage());
        Path odd = Files.write(dir.resolve("odd.safetensors"), new String(good, StandardCharsets.ISO_8859_1)
                .replace("\"F16\"", "\"F8X\"").getBytes(StandardCharsets.ISO_8859_1));
        CheckpointException dtype = assertThrows(CheckpointException.class, () -> SafetensorsFile.open(odd));
        assertTrue(dtype.getMessage().contains("tensor 'h' has dtype 'F8X'"), dtype.getMessage());
    }

    private static final String FIX =
            ": the file is truncated, damaged or not a safetensors file; re-download or re-export it";

    /**
     * Forged headers over 8 data bytes, each with the one line it must be refused with (after the
     * file's path). Every rule of the format is broken once.
     */
    static Stream<Arguments> forgedHeaders() {
        String a = entry("a", "F32", "[2]", 0, 8);
        return Stream.of(
                Arguments.of("not an object", "[1, 2]", ": the header is not a JSON object of tensors" + FIX),
                Arguments.of("entry not an object", "{\"a\": 5}",
                        ": tensor 'a' is not a JSON object of dtype, shape and data_offsets" + FIX),
                Arguments.of("metadata not an object", "{\"__metadata__\": 3, " + a + "}",
                        ": __metadata__ is not a JSON object" + FIX),
                Arguments.of("unknown dtype", "{" + entry("a", "F8X", "[2]", 0, 8) + "}",
                        ": tensor 'a' has dtype 'F8X', which is not read here"
                                + " (supported: [BF16, BOOL, F16, F32, F64, I32, I64, I8, U8])"),
                Arguments.of("dtype not a string", "{\"a\": {\"dtype\": 4, \"shape\": [2], \"data_offsets\": [0, 8]}}",
                        ": tensor 'a' has dtype '4', which is not read here"
                                + " (supported: [BF16, BOOL, F16, F32, F64, I32, I64, I8, U8])"),
                Arguments.of("no offsets", "{\"a\": {\"dtype\": \"F32\", \"shape\": [2]}}",
                        ": tensor 'a' lacks a shape list or a data_offsets pair" + FIX),
                Arguments.of("negative dimension", "{" + entry("a", "F32", "[-2]", 0, 8) + "}",
                        ": tensor 'a' has dimension -2 in shape [-2]: dimensions are whole numbers >= 0" + FIX),
                Arguments.of("fractional dimension", "{" + entry("a", "F32", "[2.5]", 0, 8) + "}",
                        ": tensor 'a' has dimension 2.5 in shape [2.5]: dimensions are whole numbers >= 0" + FIX),
                Arguments.of("element count overflows", "{" + entry("a", "F32", "[4294967296, 4294967296]", 0, 8) + "}",
                        ": tensor 'a' has shape [4294967296,4294967296], whose size overflows 64 bits" + FIX),
                Arguments.of("byte count overflows", "{" + entry("a", "F64", "[2305843009213693952]", 0, 8) + "}",
                        ": tensor 'a' has shape [2305843009213693952], whose size overflows 64 bits" + FIX),
                Arguments.of("negative offset", "{" + entry("a", "F32", "[2]", -8, 0) + "}",
                        ": tensor 'a' has data_offsets [-8,0]: offsets are whole numbers >= 0" + FIX),
                Arguments.of("begin after end", "{" + entry("a", "F32", "[0]", 8, 0) + "}",
                        ": tensor 'a' points at bytes [8, 0) of a 8-byte data section" + FIX),
                Arguments.of("past the data", "{" + entry("a", "F32", "[1000000000000]", 0, 4000000000000L) + "}",
                        ": tensor 'a' points at bytes [0, 4000000000000) of a 8-byte data section" + FIX),
                Arguments.of("offsets disagree with the shape", "{" + entry("a", "F32", "[2]", 0, 4) + "}",
                        ": tensor 'a' is F32 (2) (8 bytes) but its data_offsets [0, 4) hold 4 bytes" + FIX),
                Arguments.of("overlapping tensors", "{" + a + ", " + entry("b", "F32", "[1]", 4, 8) + "}",
                        ": tensors 'a' [0, 8) and 'b' [4, 8) overlap" + FIX));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forgedHeaders")
    void aForgedHeaderIsRefusedInOneLineBeforeAnythingIsAllocated(String what, String header, String message,
            @TempDir Path dir) throws Exception {
        Path file = SafetensorsBytes.write(dir.resolve("forged.safetensors"), header, SafetensorsBytes.floats(1, 2));
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafetensorsFile.open(file));
        assertEquals(file + message, e.getMessage());
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(file + message, assertThrows(CheckpointException.class, () -> Safetensors.read(m, file))
                    .getMessage(), "Safetensors.read checks the same header");
        }
    }

    @Test
    void aRepeatedNameOrBrokenJsonIsAnUnreadableHeader(@TempDir Path dir) throws Exception {
        String twice = "{" + entry("a", "F32", "[1]", 0, 4) + ", " + entry("a", "F32", "[1]", 4, 8) + "}";
        Path repeated = SafetensorsBytes.write(dir.resolve("twice.safetensors"), twice, SafetensorsBytes.floats(1, 2));
        String m = assertThrows(CheckpointException.class, () -> SafetensorsFile.open(repeated)).getMessage();
        assertEquals(repeated + " has an unreadable JSON header (Duplicate field 'a')" + FIX, m);
        Path broken = SafetensorsBytes.write(dir.resolve("broken.safetensors"), "{\"a\": ", SafetensorsBytes.floats(1, 2));
        m = assertThrows(CheckpointException.class, () -> SafetensorsFile.open(broken)).getMessage();
        assertTrue(m.startsWith(broken + " has an unreadable JSON header (Unexpected end-of-input") && m.endsWith(FIX), m);
        assertFalse(m.contains("\n"), m);
    }

    @Test
    void aHeaderLongerThanTheFileOrTheLimitIsRefused(@TempDir Path dir) throws Exception {
        byte[] good = SafetensorsBytes.of("{" + entry("a", "F32", "[2]", 0, 8) + "}", SafetensorsBytes.floats(1, 2));
        byte[] claims = good.clone();
        ByteBuffer.wrap(claims).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        Path file = Files.write(dir.resolve("claims.safetensors"), claims);
        assertEquals(file + " declares a header of 1099511627776 bytes but has " + claims.length
                        + " bytes in all (at most 100000000 header bytes are read)" + FIX,
                assertThrows(CheckpointException.class, () -> SafetensorsFile.open(file)).getMessage());
    }

    @Test
    void emptyTensorsAndTheOtherDtypesRead(@TempDir Path dir) throws Exception {
        ByteBuffer data = ByteBuffer.allocate(8 + 8 + 2).order(ByteOrder.LITTLE_ENDIAN);
        data.putDouble(-0.125).putLong(-7L).put((byte) 1).put((byte) 0);
        String header = "{" + entry("none", "F32", "[0, 3]", 0, 0) + ", " + entry("d", "F64", "[1]", 0, 8) + ", "
                + entry("i", "I64", "[1]", 8, 16) + ", " + entry("t", "BOOL", "[2]", 16, 18) + "}";
        Path file = SafetensorsBytes.write(dir.resolve("kinds.safetensors"), header, data.array());
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> all = Safetensors.read(m, file);
            assertEquals(new Shape(0, 3), all.get("none").getShape());
            assertEquals(DataType.FLOAT64, all.get("d").getDataType());
            assertArrayEquals(new double[] {-0.125}, all.get("d").toDoubleArray());
            assertArrayEquals(new long[] {-7L}, all.get("i").toLongArray());
            assertArrayEquals(new boolean[] {true, false}, all.get("t").toBooleanArray());
            assertEquals(List.of("none", "d", "i", "t"), List.copyOf(all.keySet()));
        }
    }

    @Test
    void aLargeBfloat16TensorIsWidenedSliceBySliceInOrder(@TempDir Path dir) throws Exception {
        int n = (1 << 20) * 2 + 5; // two whole slices and a part
        int[] bits = new int[n];
        for (int i = 0; i < n; i++) {
            bits[i] = Float.floatToIntBits(i % 256) >>> 16; // integers to 255 are exact in bfloat16
        }
        Path file = SafetensorsBytes.write(dir.resolve("ramp.safetensors"), "{" + entry("r", "BF16", "[" + n + "]", 0,
                2L * n) + "}", SafetensorsBytes.shorts(bits));
        try (NDManager m = NDManager.newBaseManager()) {
            float[] r = SafetensorsFile.open(file).read(m, "r").toFloatArray();
            for (int i : new int[] {0, 255, 256, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 2 << 20, n - 1}) {
                assertEquals(i % 256, r[i], "element " + i);
            }
        }
    }
}
