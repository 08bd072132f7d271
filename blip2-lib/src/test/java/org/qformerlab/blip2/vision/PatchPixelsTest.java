package org.qformerlab.blip2.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.data.ImageTensors;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.data.ShapesWorldConfig;
import org.qformerlab.blip2.data.Split;

/** The pixel-patch stand-in encoder: layout against a hand-made image, lookup by sample id. */
class PatchPixelsTest {

    @Test
    void patchesAreReadingOrderChannelRowColumnThenAOneHotPlace() {
        // a 4x4 image, 3 channels, value = channel * 100 + row * 10 + column; patches of 2x2
        int side = 4;
        float[] chw = new float[3 * side * side];
        for (int ch = 0; ch < 3; ch++) {
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    chw[ch * 16 + y * 4 + x] = ch * 100 + y * 10 + x;
                }
            }
        }
        int width = 3 * 2 * 2 + 4;
        float[] out = new float[4 * width];
        PatchPixels.patchify(chw, side, 2, out, 0);
        // patch 1 = top right: rows 0-1, columns 2-3
        float[] patch1 = java.util.Arrays.copyOfRange(out, width, 2 * width);
        assertArrayEquals(new float[] {
            2, 3, 12, 13, // red
            102, 103, 112, 113, // green
            202, 203, 212, 213, // blue
            0, 1, 0, 0}, patch1); // place 1 of 4
        // patch 2 = bottom left
        assertEquals(20, out[2 * width], 0);
        assertEquals(1, out[2 * width + 12 + 2], 0);
    }

    @Test
    void featuresAreLookedUpBySampleId() {
        var world = ShapesWorld.generate(ShapesWorldConfig.defaults().withCounts(4, 2, 2, 0).withImageSize(32));
        List<Sample> test = world.split(Split.TEST);
        try (NDManager m = NDManager.newBaseManager(); PatchPixels f = PatchPixels.compute(test, 8, m)) {
            assertEquals(3 * 64 + 16, f.width());
            assertEquals(16, f.patches());
            try (NDManager scope = m.newSubManager()) {
                NDArray x = f.get(scope, new int[] {test.get(1).id(), test.get(0).id()});
                assertEquals(new ai.djl.ndarray.types.Shape(2, 16, 208), x.getShape());
                float[] expected = new float[16 * 208];
                PatchPixels.patchify(ImageTensors.pixels(test.get(1).image()), 32, 8, expected, 0);
                assertArrayEquals(expected, x.get(0).toFloatArray());
                assertTrue(x.getManager() == scope, "the gathered rows belong to the caller's scope");
            }
            var e = assertThrows(IllegalArgumentException.class, () -> f.get(m, new int[] {world.split(Split.TRAIN).get(0).id()}));
            assertTrue(e.getMessage().contains("no image features for sample id"), e.getMessage());
        }
    }
}
