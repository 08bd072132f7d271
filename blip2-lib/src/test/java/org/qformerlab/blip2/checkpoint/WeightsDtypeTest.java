package org.qformerlab.blip2.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qformerlab.blip2.checkpoint.SafetensorsBytes.entry;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading tensors of another dtype: floating-point widths are converted and reported, integers and
 * booleans are refused in one line naming the tensor and both types, and a load that fails for any
 * reason leaves the model as it was.
 */
class WeightsDtypeTest {

    private static final String REFUSED = ": integer and boolean tensors are not converted to float weights"
            + " (nor the other way round); re-export the checkpoint with the model's dtype";

    @TempDir
    Path dir;

    private static Map<String, Shape> shapes() {
        Map<String, Shape> s = new LinkedHashMap<>();
        s.put("w", new Shape(2));
        s.put("b", new Shape(1));
        s.put("d", new Shape(1));
        return s;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** w and b as given, d a float32 0.25 (14 + 4 bytes of data with the given first 10). */
    private Path file(String name, String w, String b, byte[] wb) throws Exception {
        String header = "{" + w + ", " + b + ", " + entry("d", "F32", "[1]", wb.length, wb.length + 4) + "}";
        return SafetensorsBytes.write(dir.resolve(name), header, concat(wb, SafetensorsBytes.floats(0.25f)));
    }

    private static void assertUnchanged(TinyModule model, float value) {
        model.namedParameters().forEach((n, p) -> {
            float[] v = p.getArray().toFloatArray();
            for (float x : v) {
                assertEquals(value, x, n + " changed although the load failed");
            }
        });
    }

    @Test
    void float16Bfloat16AndFloat64AreConvertedToFloat32AndReported() throws Exception {
        String header = "{" + entry("w", "F16", "[2]", 0, 4) + ", " + entry("b", "BF16", "[1]", 4, 6) + ", "
                + entry("d", "F64", "[1]", 6, 14) + "}";
        // float16 0x3800 = 0.5, 0xC200 = -3; bfloat16 0xBE20 = -0.15625; float64 0.1 -> float32 0.1f
        Path f = SafetensorsBytes.write(dir.resolve("mixed.safetensors"), header,
                concat(SafetensorsBytes.shorts(0x3800, 0xC200, 0xBE20), SafetensorsBytes.doubles(0.1)));
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModule model = TinyModule.of(m, shapes(), 9f);
            Weights.Report r = Weights.loadReporting(model, f, NameMap.LAVIS, Weights.Policy.strict());
            assertEquals(List.of("w (float16 -> float32)", "b (bfloat16 -> float32)", "d (float64 -> float32)"),
                    r.converted());
            assertEquals("loaded 3 tensors; converted to the model's dtype (3): [w (float16 -> float32),"
                    + " b (bfloat16 -> float32), d (float64 -> float32)]", r.toString());
            var p = model.namedParameters();
            assertArrayEquals(new float[] {0.5f, -3f}, p.get("w").getArray().toFloatArray());
            assertArrayEquals(new float[] {-0.15625f}, p.get("b").getArray().toFloatArray());
            assertArrayEquals(new float[] {0.1f}, p.get("d").getArray().toFloatArray());
            assertEquals(DataType.FLOAT32, p.get("w").getArray().getDataType(), "the weight keeps its own type");
        }
    }

    @Test
    void integersOrBooleansIntoAFloatWeightAreRefusedAndTheModelIsUnchanged() throws Exception {
        Path ints = file("ints.safetensors", entry("w", "I64", "[2]", 0, 16), entry("b", "F32", "[1]", 16, 20),
                concat(SafetensorsBytes.longs(1, 2), SafetensorsBytes.floats(5)));
        Path bools = file("bools.safetensors", entry("w", "BOOL", "[2]", 0, 2), entry("b", "F32", "[1]", 2, 6),
                concat(new byte[] {1, 0}, SafetensorsBytes.floats(5)));
        Path both = file("both.safetensors", entry("w", "I32", "[2]", 0, 8), entry("b", "U8", "[1]", 8, 9),
                concat(SafetensorsBytes.floats(1, 2), new byte[] {7}));
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModule model = TinyModule.of(m, shapes(), 9f);
            assertEquals(ints + ": tensor 'w' is int64 but the model's weight is float32" + REFUSED,
                    assertThrows(CheckpointException.class,
                            () -> Weights.load(model, ints, NameMap.LAVIS, Weights.Policy.strict())).getMessage());
            assertUnchanged(model, 9f);
            assertEquals(bools + ": tensor 'w' is boolean but the model's weight is float32" + REFUSED,
                    assertThrows(CheckpointException.class,
                            () -> Weights.load(model, bools, NameMap.LAVIS, Weights.Policy.strict())).getMessage());
            assertUnchanged(model, 9f);
            assertEquals(both + ": tensor 'w' is int32 but the model's weight is float32 (and 1 more of another type)"
                    + REFUSED, assertThrows(CheckpointException.class,
                            () -> Weights.load(model, both, NameMap.LAVIS, Weights.Policy.strict())).getMessage());
            assertUnchanged(model, 9f);
            // the same rule for tensors already in memory
            Map<String, ai.djl.ndarray.NDArray> inMemory = Map.of("w", m.create(new long[] {1, 2}),
                    "b", m.create(new float[] {1}), "d", m.create(new float[] {1}));
            assertEquals("tensor 'w' is int64 but the model's weight is float32" + REFUSED,
                    assertThrows(CheckpointException.class,
                            () -> Weights.load(model, inMemory, NameMap.LAVIS, Weights.Policy.strict())).getMessage());
            assertUnchanged(model, 9f);
        }
    }

    @Test
    void aShardedCheckpointRefusesIntegersByTheirShardFolder() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, ai.djl.ndarray.NDArray> t = new LinkedHashMap<>();
            t.put("w", m.create(new float[] {1, 2}));
            t.put("b", m.create(new int[] {3}));
            t.put("d", m.create(new float[] {4}));
            Path folder = dir.resolve("sharded");
            SafetensorsShards.write(folder, t, 2);
            TinyModule model = TinyModule.of(m, shapes(), 9f);
            assertEquals(folder + ": tensor 'b' is int32 but the model's weight is float32" + REFUSED,
                    assertThrows(CheckpointException.class, () -> SafetensorsShards.load(model, folder, NameMap.LAVIS,
                            Weights.Policy.strict())).getMessage());
            assertUnchanged(model, 9f);
        }
    }

    @Test
    void everyFailedLoadLeavesTheModelUnchanged() throws Exception {
        byte[] good = concat(SafetensorsBytes.floats(1, 2), SafetensorsBytes.floats(5));
        String w = entry("w", "F32", "[2]", 0, 8);
        String b = entry("b", "F32", "[1]", 8, 12);
        Map<String, Path> bad = new LinkedHashMap<>();
        bad.put("overlap", file("overlap.safetensors", w, entry("b", "F32", "[1]", 4, 8), good));
        bad.put("shape", file("shape.safetensors", entry("w", "F32", "[1, 2]", 0, 8), b, good));
        bad.put("missing", SafetensorsBytes.write(dir.resolve("missing.safetensors"), "{" + w + "}",
                SafetensorsBytes.floats(1, 2)));
        bad.put("unexpected", file("unexpected.safetensors", w, b + ", " + entry("x", "F32", "[0]", 0, 0), good));
        Path whole = file("truncated.safetensors", w, b, good);
        byte[] bytes = Files.readAllBytes(whole);
        bad.put("truncated", Files.write(whole, java.util.Arrays.copyOf(bytes, bytes.length - 2)));
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModule model = TinyModule.of(m, shapes(), 9f);
            for (Map.Entry<String, Path> e : bad.entrySet()) {
                CheckpointException x = assertThrows(CheckpointException.class,
                        () -> Weights.load(model, e.getValue(), NameMap.LAVIS, Weights.Policy.strict()), e.getKey());
                assertTrue(x.getMessage().startsWith(e.getValue().toString()), x.getMessage());
                assertUnchanged(model, 9f);
            }
            // and the good file then loads
            Weights.load(model, file("good.safetensors", w, b, good), NameMap.LAVIS, Weights.Policy.strict());
            assertArrayEquals(new float[] {1, 2}, model.namedParameters().get("w").getArray().toFloatArray());
            assertArrayEquals(new float[] {0.25f}, model.namedParameters().get("d").getArray().toFloatArray());
        }
    }
}
