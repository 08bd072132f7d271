package org.qformerlab.blip2.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.qformer.AttentionMask;

class MaskHeatmapsTest {

    private static int centre(BufferedImage img, Rectangle r) {
        return img.getRGB(r.x + r.width / 2, r.y + r.height / 2) & 0xFFFFFF;
    }

    @Test
    void itgHeatmapShowsQueriesBlindToTextAndTextCausal() {
        AttentionMask itg = AttentionMask.multimodalCausal(3, 4);
        Heatmap h = MaskHeatmaps.of(itg);
        BufferedImage img = h.render();
        int allowed = Heatmap.ALLOWED.getRGB() & 0xFFFFFF;
        int blocked = Heatmap.BLOCKED.getRGB() & 0xFFFFFF;
        assertEquals(blocked, centre(img, h.cellBounds(0, 3)), "q0 must not see t0");
        assertEquals(allowed, centre(img, h.cellBounds(0, 2)), "q0 sees q2");
        assertEquals(allowed, centre(img, h.cellBounds(4, 0)), "t1 sees q0");
        assertEquals(allowed, centre(img, h.cellBounds(4, 4)), "t1 sees itself");
        assertEquals(blocked, centre(img, h.cellBounds(4, 5)), "t1 must not see t2");
    }

    @Test
    void threeMasksOfThePaper() {
        assertEquals(3, MaskHeatmaps.blip2(2, 3).size());
        assertEquals("ITG multimodal causal", MaskHeatmaps.blip2(2, 3).get(1).name());
    }
}
