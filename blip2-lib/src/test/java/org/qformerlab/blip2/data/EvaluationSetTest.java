package org.qformerlab.blip2.data;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EvaluationSetTest {

    @Test
    void everyImageAndEveryCaptionOnceWithItsOwner() {
        List<Sample> val = ShapesWorld.generate(ShapesWorldConfig.defaults().withCounts(0, 25, 0, 0)).split(Split.VAL);
        EvaluationSet eval = EvaluationSet.of(val);
        assertEquals(val, eval.images());
        assertEquals(25 * 4, eval.captions().size());
        int[] owners = eval.captionOwners();
        for (int c = 0; c < owners.length; c++) {
            CaptionEntry entry = eval.captions().get(c);
            Sample owner = eval.images().get(owners[c]);
            assertEquals(owner.id(), entry.sampleId());
            assertEquals(owner.captions().get(c % 4), entry.text());
        }
        assertArrayEquals(new int[] {8, 9, 10, 11}, eval.captionIndices(2));
        assertEquals(eval.captions().stream().map(CaptionEntry::text).toList(), eval.captionTexts());
    }

    @Test
    void chunksCoverTheListInOrder() {
        List<Integer> items = List.of(1, 2, 3, 4, 5, 6, 7);
        assertEquals(List.of(List.of(1, 2, 3), List.of(4, 5, 6), List.of(7)), EvaluationSet.chunks(items, 3));
        assertEquals(List.of(), EvaluationSet.chunks(List.of(), 3));
        assertThrows(IllegalArgumentException.class, () -> EvaluationSet.chunks(items, 0));
    }
}
