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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
