package org.qformerlab.blip2.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shard larger than the Java heap loads: a child JVM with {@code -Xmx64m} writes a 180 MB
 * safetensors file (four float32 tensors and one bfloat16 tensor of 10 M values each) and loads it
 * into a model, checking values on both sides of every slice boundary. Reading the file onto the
 * heap, or widening the bfloat16 tensor there, would exhaust that heap.
 */
class LargeShardTest {

    static final int N = 10_000_000;
    static final int F32_TENSORS = 4;

    @Test
    void aShardLargerThanTwiceTheHeapLoadsInAChildJvmWith64MiB(@TempDir Path dir) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-cp", System.getProperty("java.class.path"), Child.class.getName(), dir.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (var in = p.getInputStream()) {
            boolean done = p.waitFor(180, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly();
            }
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(done, "the child did not finish in 3 minutes:\n" + output);
        }
        assertEquals(0, p.exitValue(), output);
        String last = output.strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("loaded 5 tensors from "), output);
        String[] words = last.split(" ");
        long fileBytes = Long.parseLong(words[4]);
        long heap = Long.parseLong(words[words.length - 1]);
        assertTrue(fileBytes > 2 * heap, "the file (" + fileBytes + " bytes) must dwarf the heap (" + heap + ")");
    }

    /** The child: writes the shard through a 1 MiB buffer, loads it into a model, checks the values. */
    public static final class Child {
        public static void main(String[] args) throws IOException {
            Path file = Path.of(args[0]).resolve("model.safetensors");
            Map<String, Shape> shapes = new LinkedHashMap<>();
            StringBuilder header = new StringBuilder("{");
            long at = 0;
            for (int t = 0; t < F32_TENSORS; t++) {
                shapes.put("w" + t, new Shape(N / 1000, 1000));
                header.append(SafetensorsBytes.entry("w" + t, "F32", "[" + N / 1000 + ", 1000]", at, at + 4L * N)).append(", ");
                at += 4L * N;
            }
            shapes.put("ramp", new Shape(N));
            header.append(SafetensorsBytes.entry("ramp", "BF16", "[" + N + "]", at, at + 2L * N)).append("}");
            byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, h.length));
                out.write(ByteBuffer.wrap(h));
                ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                for (int t = 0; t < F32_TENSORS; t++) {
                    for (int i = 0; i < N; i++) {
                        chunk.putFloat(t + 0.5f);
                        if (!chunk.hasRemaining() || i == N - 1) {
                            out.write(chunk.flip());
                            chunk.clear();
                        }
                    }
                }
                for (int i = 0; i < N; i++) {
                    chunk.putShort((short) (Float.floatToIntBits(i % 256) >>> 16));
                    if (!chunk.hasRemaining() || i == N - 1) {
                        out.write(chunk.flip());
                        chunk.clear();
                    }
                }
            }
            try (NDManager m = NDManager.newBaseManager()) {
                TinyModule model = TinyModule.of(m, shapes, -1f);
                Weights.Report r = Weights.loadReporting(model, file, NameMap.LAVIS, Weights.Policy.strict());
                var p = model.namedParameters();
                for (int t = 0; t < F32_TENSORS; t++) {
                    NDArray w = p.get("w" + t).getArray();
                    check(w.min().getFloat() == t + 0.5f && w.max().getFloat() == t + 0.5f, "w" + t);
                }
                NDArray ramp = p.get("ramp").getArray();
                for (long i : new long[] {0, 255, 256, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3L << 20, N - 1}) {
                    check(ramp.getFloat(i) == i % 256, "ramp[" + i + "] = " + ramp.getFloat(i));
                }
                check(r.converted().equals(List.of("ramp (bfloat16 -> float32)")), r.toString());
                System.out.println("loaded " + r.loaded().size() + " tensors from " + Files.size(file)
                        + " bytes with a Java heap of at most " + Runtime.getRuntime().maxMemory());
            }
        }

        private static void check(boolean ok, String what) {
            if (!ok) {
                System.out.println("wrong value: " + what);
                System.exit(3);
            }
        }
    }
}
