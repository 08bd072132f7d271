package org.qformerlab.blip2.nn;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The one input check of both stages: each wrong shape gets the line that names it and the fix. */
class BatchShapesTest {

    @Test
    void namesEachWrongShape() {
        try (NDManager m = NDManager.newBaseManager()) {
            var image = m.zeros(new Shape(2, 5, 8));
            var ids = m.ones(new Shape(2, 4), DataType.INT64);
            assertDoesNotThrow(() -> BatchShapes.requireImageTextBatch(image, ids, ids));
            assertEquals("image features must be [batch, patches, width]; got shape (2, 8)",
                    assertThrows(IllegalArgumentException.class, () -> BatchShapes.requireImageTextBatch(
                            m.zeros(new Shape(2, 8)), ids, ids)).getMessage());
            assertEquals("text ids (2, 4) and text mask (2, 5) must both be [batch, textLength]",
                    assertThrows(IllegalArgumentException.class, () -> BatchShapes.requireImageTextBatch(
                            image, ids, m.ones(new Shape(2, 5), DataType.INT64))).getMessage());
            assertEquals("batch sizes differ: 3 images but 2 texts; pair every image with one text",
                    assertThrows(IllegalArgumentException.class, () -> BatchShapes.requireImageTextBatch(
                            m.zeros(new Shape(3, 5, 8)), ids, ids)).getMessage());
        }
    }
}
