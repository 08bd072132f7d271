package org.qformerlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.config.QFormerConfig;

/** The FLOP counter against a count done by hand for a tiny Q-Former. */
class Stage1FlopsTest {

    /**
     * H=4, L=2 (cross-attention in layer 0 only), I=8, Q=2, Dv=3, P=5, T=3, V=10, E=2, B=2.
     * A linear of r rows from a to b is 2rab; attention over k keys adds 2 * 2rkH.
     */
    @Test
    void tinyConfigMatchesTheHandCount() {
        QFormerConfig c = new QFormerConfig(4, 2, 2, 8, 2, 2, 3, 10, 3, 0, 0, 1e-12, 2, 0.07, 0, 1, 2);
        Stage1Flops f = new Stage1Flops(c, 2, 5, 3);
        Map<String, Double> parts = f.forwardParts();
        // image K/V: 1 cross layer x 2 projections x 2*(B*P=10)*3*4
        assertEquals(480, parts.get("image_kv"));
        // query pass, 4 rows: per layer 4*128 + 2*64 (attention) + 256 + 256 (FFN) = 1152, x2;
        // cross-attention 2*128 + 2*160 = 576; vision_proj 2*4*4*2 = 64
        assertEquals(2304 + 576 + 64, parts.get("query_pass"));
        // text pass, 6 rows, 3 keys: per layer 768 + 288 + 768 = 1824, x2; text_proj 32; similarities 32
        assertEquals(3648 + 32 + 32, parts.get("text_pass"));
        // ITM, 6 pairs of 5 positions (30 rows, 12 query rows, 18 text rows): per layer
        // 3840 + 2400 (attention) + 1536 + 2304 (FFN) = 10080, x2; cross on 12 rows 768 + 960; itm_head 192
        assertEquals(20160 + 1728 + 192, parts.get("itm_pass"));
        // ITG, 6 text rows over 5 keys: per layer 768 + 480 + 768 = 2016, x2; LM transform 192, decoder 480
        assertEquals(4032 + 192 + 480, parts.get("itg_pass"));
        assertEquals(33920, f.forward());
        assertEquals(3 * 33920, f.trainingStep(), "backward counts as twice the forward");
    }
}
