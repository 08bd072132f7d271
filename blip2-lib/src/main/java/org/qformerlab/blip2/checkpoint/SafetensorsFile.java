package org.qformerlab.blip2.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One safetensors file read tensor by tensor: the header (name -> dtype, shape, byte range) is
 * parsed and checked in full when the file is opened, before anything is allocated for the data,
 * and each tensor's bytes are read only when asked for.
 *
 * <p>The header is checked the way the format's reference reader checks it: a JSON object of
 * objects; every dtype known; every dimension a non-negative integer whose product (times the
 * dtype's size) does not overflow; {@code 0 <= begin <= end <= data size}; {@code end - begin}
 * exactly the tensor's bytes; no two tensors sharing a byte. A file that fails any check is
 * refused with one line naming the file, the tensor and the rule, so no later read can run off
 * the file or allocate what the header merely claims.
 *
 * <p>Nothing here puts a file's data on the Java heap: a tensor's bytes are memory-mapped and
 * copied by the engine into its own memory, so a shard of several gigabytes loads with a small
 * {@code -Xmx}. Tensors come back as stored, except {@code BF16}, which is widened to float32
 * (exactly: a bfloat16 is the upper half of a float32) in slices of a million values, because this
 * engine's bfloat16 arrays are unsafe on the CPU (casting to them aborts the JVM).
 */
public final class SafetensorsFile {

    /**
     * Where one tensor lies: dtype as the file names it, shape, and its byte range in the data
     * section.
     */
    public record Entry(String dtype, Shape shape, long begin, long end) {

        /** The dtype as stored ({@code BF16} is {@link DataType#BFLOAT16}, though it is read as float32). */
        public DataType dataType() {
            return STORED.get(dtype);
        }
    }

    /** The largest header read (the reference reader's limit): a bigger one is not a checkpoint. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Map<String, DataType> STORED = Map.of(
            "F32", DataType.FLOAT32, "F16", DataType.FLOAT16, "F64", DataType.FLOAT64, "BF16", DataType.BFLOAT16,
            "I64", DataType.INT64, "I32", DataType.INT32, "I8", DataType.INT8, "U8", DataType.UINT8,
            "BOOL", DataType.BOOLEAN);
    private static final Map<String, Integer> BYTES = Map.of(
            "F32", 4, "F16", 2, "F64", 8, "BF16", 2, "I64", 8, "I32", 4, "I8", 1, "U8", 1, "BOOL", 1);
    private static final String FIX = ": the file is truncated, damaged or not a safetensors file; re-download or re-export it";
    /** Values widened from bfloat16 per slice: 4 MiB of float32 at a time. */
    private static final int WIDEN_SLICE = 1 << 20;

    private final Path file;
    private final long dataStart;
    private final long dataSize;
    private final Map<String, Entry> entries;

    private SafetensorsFile(Path file, long dataStart, long dataSize, Map<String, Entry> entries) {
        this.file = file;
        this.dataStart = dataStart;
        this.dataSize = dataSize;
        this.entries = Collections.unmodifiableMap(entries);
    }

    /** Opens {@code file} and checks its whole header against its size. */
    public static SafetensorsFile open(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new CheckpointException(file + " has " + size + " bytes, no safetensors header" + FIX);
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength <= 0 || headerLength > size - 8 || headerLength > MAX_HEADER_BYTES) {
                throw new CheckpointException(file + " declares a header of " + headerLength + " bytes but has "
                        + size + " bytes in all (at most " + MAX_HEADER_BYTES + " header bytes are read)" + FIX);
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            long data = size - 8 - headerLength;
            return new SafetensorsFile(file, 8 + headerLength, data, entries(file, header.array(), data));
        } catch (NoSuchFileException e) {
            throw new CheckpointException("checkpoint file not found: " + file);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Entry> entries(Path file, byte[] header, long data) {
        JsonNode root;
        try {
            root = JSON.readTree(new String(header, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CheckpointException(file + " has an unreadable JSON header ("
                    + e.getMessage().lines().findFirst().orElse("") + ")" + FIX, e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(file + ": the header is not a JSON object of tensors" + FIX);
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                if (!e.getValue().isObject()) {
                    throw new CheckpointException(file + ": __metadata__ is not a JSON object" + FIX);
                }
                continue;
            }
            entries.put(e.getKey(), entry(file, e.getKey(), e.getValue(), data));
        }
        checkDisjoint(file, entries);
        return entries;
    }

    private static Entry entry(Path file, String name, JsonNode node, long data) {
        String tensor = file + ": tensor '" + name + "'";
        if (!node.isObject()) {
            throw new CheckpointException(tensor + " is not a JSON object of dtype, shape and data_offsets" + FIX);
        }
        JsonNode dtypeNode = node.path("dtype");
        String dtype = dtypeNode.isTextual() ? dtypeNode.asText() : String.valueOf(dtypeNode);
        if (!STORED.containsKey(dtype)) {
            throw new CheckpointException(tensor + " has dtype '" + dtype
                    + "', which is not read here (supported: " + new java.util.TreeSet<>(STORED.keySet()) + ")");
        }
        JsonNode shapeNode = node.path("shape");
        JsonNode offsets = node.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new CheckpointException(tensor + " lacks a shape list or a data_offsets pair" + FIX);
        }
        long[] dims = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < dims.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                throw new CheckpointException(tensor + " has dimension " + d + " in shape " + shapeNode
                        + ": dimensions are whole numbers >= 0" + FIX);
            }
            dims[i] = d.asLong();
            elements = multiplyOrFail(elements, dims[i], tensor + " has shape " + shapeNode);
        }
        long bytes = multiplyOrFail(elements, BYTES.get(dtype), tensor + " has shape " + shapeNode);
        for (JsonNode o : offsets) {
            if (!o.isIntegralNumber() || !o.canConvertToLong() || o.asLong() < 0) {
                throw new CheckpointException(tensor + " has data_offsets " + offsets
                        + ": offsets are whole numbers >= 0" + FIX);
            }
        }
        Shape shape = new Shape(dims);
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin > end || end > data) {
            throw new CheckpointException(tensor + " points at bytes [" + begin + ", " + end + ") of a " + data
                    + "-byte data section" + FIX);
        }
        if (end - begin != bytes) {
            throw new CheckpointException(tensor + " is " + dtype + " " + shape + " (" + bytes + " bytes) but its"
                    + " data_offsets [" + begin + ", " + end + ") hold " + (end - begin) + " bytes" + FIX);
        }
        return new Entry(dtype, shape, begin, end);
    }

    private static long multiplyOrFail(long a, long b, String what) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new CheckpointException(what + ", whose size overflows 64 bits" + FIX);
        }
    }

    /** No two tensors may share a byte: a writer never produces that, a forged file might. */
    private static void checkDisjoint(Path file, Map<String, Entry> entries) {
        List<Map.Entry<String, Entry>> byStart = new ArrayList<>(entries.entrySet());
        byStart.removeIf(e -> e.getValue().begin() == e.getValue().end());
        byStart.sort(Comparator.comparingLong(e -> e.getValue().begin()));
        for (int i = 1; i < byStart.size(); i++) {
            Map.Entry<String, Entry> before = byStart.get(i - 1);
            Map.Entry<String, Entry> next = byStart.get(i);
            if (next.getValue().begin() < before.getValue().end()) {
                throw new CheckpointException(file + ": tensors '" + before.getKey() + "' [" + before.getValue().begin()
                        + ", " + before.getValue().end() + ") and '" + next.getKey() + "' [" + next.getValue().begin()
                        + ", " + next.getValue().end() + ") overlap" + FIX);
            }
        }
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
        NDArray out;
        if (length == 0) {
            out = manager.zeros(e.shape(), e.dtype().equals("BF16") ? DataType.FLOAT32 : e.dataType());
        } else {
            MappedByteBuffer bytes = map(name, e);
            out = e.dtype().equals("BF16") ? widen(manager, bytes, e.shape()) : copyOf(manager, bytes, e);
        }
        out.setName(name);
        return out;
    }

    /** The tensor's bytes, mapped from the file (not on the heap, not counted as direct memory). */
    private MappedByteBuffer map(String name, Entry e) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (channel.size() != dataStart + dataSize) {
                throw new CheckpointException(file + " changed size since it was opened (" + (dataStart + dataSize)
                        + " -> " + channel.size() + " bytes) while reading tensor '" + name + "'; load it again");
            }
            MappedByteBuffer bytes = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), e.end() - e.begin());
            bytes.order(ByteOrder.LITTLE_ENDIAN);
            return bytes;
        } catch (IOException ex) {
            throw new CheckpointException("cannot read tensor '" + name + "' of " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** The engine's own copy of mapped bytes, so that the array never depends on the file. */
    private static NDArray copyOf(NDManager manager, MappedByteBuffer bytes, Entry e) {
        try (NDArray view = manager.create(bytes, e.shape(), e.dataType())) {
            return view.duplicate();
        }
    }

    /** bfloat16 bits to float32 values, a slice at a time, into one float32 array. */
    private static NDArray widen(NDManager manager, MappedByteBuffer bytes, Shape shape) {
        int n = Math.toIntExact(shape.size());
        NDArray flat = manager.zeros(new Shape(n), DataType.FLOAT32);
        ByteBuffer slice = ByteBuffer.allocateDirect(Math.min(n, WIDEN_SLICE) * 4).order(ByteOrder.nativeOrder());
        for (int from = 0; from < n; from += WIDEN_SLICE) {
            int count = Math.min(WIDEN_SLICE, n - from);
            slice.clear();
            for (int i = 0; i < count; i++) {
                slice.putInt((bytes.getShort() & 0xFFFF) << 16);
            }
            slice.flip();
            try (NDArray part = manager.create(slice, new Shape(count), DataType.FLOAT32)) {
                flat.set(new NDIndex("{}:{}", from, from + count), part);
            }
        }
        NDArray out = flat.reshape(shape);
        if (out != flat) {
            flat.close();
        }
        return out;
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
