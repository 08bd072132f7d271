package org.qformerlab.blip2.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON header of
 * name -> dtype/shape/offsets, then the raw data). Reading goes through {@link SafetensorsFile}, which
 * checks the whole header before it allocates anything, so a truncated or forged file gives a
 * message rather than a native crash or an exhausted heap; writes go to a temporary
 * file that replaces the target only when complete, so a failed save never destroys the previous
 * file.
 */
public final class Safetensors {

    private Safetensors() {}

    /**
     * Reads every tensor of {@code file} into {@code manager}, by name, in file order; the header is
     * checked in full first ({@link SafetensorsFile}) and the data never passes through the Java heap.
     */
    public static Map<String, NDArray> read(NDManager manager, Path file) {
        return SafetensorsFile.open(file).readAll(manager);
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
