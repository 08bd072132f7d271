package org.qformerlab.blip2.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One safetensors file read tensor by tensor: the header (name -> dtype, shape, byte range) is
 * parsed and checked when the file is opened, and each tensor's bytes are read only when asked for.
 * Released checkpoints have shards of several gigabytes, more than one Java array can hold, so
 * unlike {@link Safetensors#read} nothing here holds the whole file in memory.
 *
 * <p>Tensors come back as stored, except {@code BF16}, which is widened to float32 on the host
 * (exactly: a bfloat16 is the upper half of a float32), because this engine's bfloat16 arrays are
 * unsafe on the CPU (casting to them aborts the JVM).
 */
public final class SafetensorsFile {

    /** Where one tensor lies: dtype as the file names it, shape, and its byte range in the data section. */
    public record Entry(String dtype, Shape shape, long begin, long end) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, DataType> TYPES = Map.of(
            "F32", DataType.FLOAT32, "F16", DataType.FLOAT16, "F64", DataType.FLOAT64, "BF16", DataType.FLOAT32,
            "I64", DataType.INT64, "I32", DataType.INT32, "I8", DataType.INT8, "U8", DataType.UINT8,
            "BOOL", DataType.BOOLEAN);
    private static final Map<String, Integer> BYTES = Map.of(
            "F32", 4, "F16", 2, "F64", 8, "BF16", 2, "I64", 8, "I32", 4, "I8", 1, "U8", 1, "BOOL", 1);

    private final Path file;
    private final long dataStart;
    private final Map<String, Entry> entries;

    private SafetensorsFile(Path file, long dataStart, Map<String, Entry> entries) {
        this.file = file;
        this.dataStart = dataStart;
        this.entries = Collections.unmodifiableMap(entries);
    }

    /** Opens {@code file} and checks its header against its size. */
    public static SafetensorsFile open(Path file) {
        String fix = ": the file is truncated or not a safetensors file; re-download or re-export it";
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new CheckpointException(file + " has " + size + " bytes, no safetensors header" + fix);
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength <= 0 || headerLength > Math.min(size - 8, 100_000_000L)) {
                throw new CheckpointException(file + " declares a header of " + headerLength + " bytes but has "
                        + size + fix);
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            JsonNode root;
            try {
                root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new CheckpointException(file + " has an unreadable JSON header (" + e.getMessage() + ")" + fix, e);
            }
            long data = size - 8 - headerLength;
            Map<String, Entry> entries = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = root.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getKey().equals("__metadata__")) {
                    entries.put(e.getKey(), entry(file, e.getKey(), e.getValue(), data, fix));
                }
            }
            return new SafetensorsFile(file, 8 + headerLength, entries);
        } catch (NoSuchFileException e) {
            throw new CheckpointException("checkpoint file not found: " + file);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static Entry entry(Path file, String name, JsonNode node, long data, String fix) {
        String dtype = node.path("dtype").asText("");
        if (!TYPES.containsKey(dtype)) {
            throw new CheckpointException(file + ": tensor '" + name + "' has dtype '" + dtype
                    + "', which is not read here (supported: " + TYPES.keySet() + ")");
        }
        JsonNode shapeNode = node.path("shape");
        JsonNode offsets = node.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new CheckpointException(file + ": tensor '" + name + "' lacks shape or data_offsets" + fix);
        }
        long[] dims = new long[shapeNode.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shapeNode.get(i).asLong();
        }
        Shape shape = new Shape(dims);
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end > data || end - begin != shape.size() * BYTES.get(dtype)) {
            throw new CheckpointException(file + ": tensor '" + name + "' " + dtype + " " + shape + " points at bytes ["
                    + begin + ", " + end + ") of a " + data + "-byte data section" + fix);
        }
        return new Entry(dtype, shape, begin, end);
    }

    public Path file() {
        return file;
    }

    /** Every tensor's place in the file, in header order. */
    public Map<String, Entry> entries() {
        return entries;
    }

    /** Every tensor's shape, by name. */
    public Map<String, Shape> shapes() {
        Map<String, Shape> out = new LinkedHashMap<>();
        entries.forEach((n, e) -> out.put(n, e.shape()));
        return out;
    }

    /** Reads one tensor into {@code manager} (BF16 widened to float32). */
    public NDArray read(NDManager manager, String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new CheckpointException(file + " has no tensor '" + name + "'");
        }
        long length = e.end() - e.begin();
        if (length > Integer.MAX_VALUE) {
            throw new CheckpointException(file + ": tensor '" + name + "' has " + length
                    + " bytes, more than one read can hold (2 GiB)");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (e.dtype().equals("BF16")) {
                ByteBuffer raw = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
                readFully(channel, raw, dataStart + e.begin());
                raw.flip();
                float[] values = new float[(int) (length / 2)];
                for (int i = 0; i < values.length; i++) {
                    values[i] = Float.intBitsToFloat((raw.getShort() & 0xFFFF) << 16);
                }
                NDArray out = manager.create(values, e.shape());
                out.setName(name);
                return out;
            }
            // a direct buffer in the engine's byte order; the array keeps a reference to it
            ByteBuffer bytes = ByteBuffer.allocateDirect((int) length).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, bytes, dataStart + e.begin());
            bytes.flip();
            NDArray out = manager.create(bytes, e.shape(), TYPES.get(e.dtype()));
            out.setName(name);
            return out;
        } catch (IOException ex) {
            throw new CheckpointException("cannot read tensor '" + name + "' of " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** Reads every tensor into {@code manager}, by name, in file order. */
    public Map<String, NDArray> readAll(NDManager manager) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (String name : entries.keySet()) {
            out.put(name, read(manager, name));
        }
        return out;
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long position) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int n = channel.read(into, at);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + at);
            }
            at += n;
        }
    }
}
