package org.qformerlab.blip2.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Generation batches: one length per batch, shortest first, order kept, at most the batch size. */
class SameLengthBatchesTest {

    @Test
    void groupsByLengthShortestFirstAndCutsEachGroupIntoBatches() {
        List<String> words = List.of("ccc", "a", "bb", "dd", "e", "ff", "gg", "hhh");
        assertEquals(List.of(List.of("a", "e"), List.of("bb", "dd"), List.of("ff", "gg"), List.of("ccc", "hhh")),
                SameLengthBatches.of(words, String::length, 2));
        assertEquals(List.of(List.of("a", "e"), List.of("bb", "dd", "ff"), List.of("gg"), List.of("ccc", "hhh")),
                SameLengthBatches.of(words, String::length, 3));
        assertEquals(List.of(), SameLengthBatches.of(List.<String>of(), String::length, 4));
    }
}
