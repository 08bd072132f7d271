package org.qformerlab.blip2.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON header of
 * name -> dtype/shape/offsets, then the raw data). Files are checked before DJL decodes them, so a
 * truncated or foreign file gives a message rather than a native crash; writes go to a temporary
 * file that replaces the target only when complete, so a failed save never destroys the previous
 * file.
 */
public final class Safetensors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {}

    /** Reads every tensor of {@code file} into {@code manager}, by name, in file order. */
    public static Map<String, NDArray> read(NDManager manager, Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException("checkpoint file not found: " + file);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
        validate(file, bytes);
        NDList list;
        try {
            list = NDList.decode(manager, bytes);
        } catch (RuntimeException e) {
            throw new CheckpointException(
                    file + " could not be decoded as safetensors (" + e.getMessage() + "); re-export it", e);
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (NDArray a : list) {
            out.put(a.getName(), a);
        }
        return out;
    }

    private static void validate(Path file, byte[] bytes) {
        String fix = ": the file is truncated or not a safetensors file; re-export or re-download it";
        if (bytes.length < 8) {
            throw new CheckpointException(file + " has " + bytes.length + " bytes, no safetensors header" + fix);
        }
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength <= 0 || headerLength > bytes.length - 8) {
            throw new CheckpointException(
                    file + " declares a header of " + headerLength + " bytes but has " + bytes.length + fix);
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(bytes, 8, (int) headerLength, java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CheckpointException(file + " has an unreadable JSON header (" + e.getMessage() + ")" + fix, e);
        }
        long data = bytes.length - 8 - headerLength;
        Iterator<Map.Entry<String, JsonNode>> it = header.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode offsets = e.getValue().get("data_offsets");
            if (offsets == null || offsets.size() != 2 || offsets.get(1).asLong() > data) {
                throw new CheckpointException(
                        file + ": tensor '" + e.getKey() + "' points past the end of the data (" + offsets
                                + " > " + data + " bytes)" + fix);
            }
        }
    }

    /** Writes tensors under the given names, atomically. The arrays' own names are left unchanged. */
    public static void write(Path file, Map<String, NDArray> tensors) {
        NDList list = new NDList();
        Map<NDArray, String> previousNames = new java.util.IdentityHashMap<>();
        try (NDManager scratch = NDManager.newBaseManager()) {
            for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
                NDArray a = e.getValue();
                if (previousNames.containsKey(a)) {
                    // a tied weight written under a second name: it needs its own array to carry that name
                    a = a.duplicate();
                    a.attach(scratch);
                } else {
                    previousNames.put(a, a.getName());
                }
                a.setName(e.getKey());
                list.add(a);
            }
            AtomicFiles.write(file, out -> list.encode(out, NDList.Encoding.SAFETENSORS));
        } finally {
            previousNames.forEach(NDArray::setName);
        }
    }
}
