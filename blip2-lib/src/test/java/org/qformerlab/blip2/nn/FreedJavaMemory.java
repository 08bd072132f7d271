package org.qformerlab.blip2.nn;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a use of freed Java direct memory visible: collects garbage (freeing unreachable direct
 * buffers), then allocates many direct buffers filled with 0xFF bytes, which read as NaN floats.
 * Memory that a tensor still points into after its Java buffer died is then NaN.
 */
final class FreedJavaMemory {

    private static final List<ByteBuffer> HELD = new ArrayList<>();

    private FreedJavaMemory() {}

    static void poison() {
        for (int round = 0; round < 3; round++) {
            HELD.clear();
            System.gc();
            try {
                Thread.sleep(20); // the Cleaner thread frees direct buffers after the collection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (int i = 0; i < 64; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(4 << (i % 12));
                while (b.hasRemaining()) {
                    b.put((byte) 0xFF);
                }
                HELD.add(b);
            }
        }
    }
}
