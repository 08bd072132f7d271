package org.qformerlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.llm.OptConfig;
import org.qformerlab.blip2.llm.T5Config;

/** The stage-2 FLOP counter against counts done by hand for a one-layer OPT. */
class Stage2FlopsTest {

    /** D=4, F=8, V=10, one layer. */
    private static final OptConfig OPT = new OptConfig(10, 4, 8, 1, 2, 16, 1, 2, 2, 1e-5, 0, true);

    @Test
    void oneOptCallMatchesTheHandCount() {
        // 1 row of 2 positions attending to 2 keys: 4 projections 4*2*2*4*4 = 256, fc1 + fc2 2*2*4*8 * 2 = 256,
        // LM head 2*2*4*10 = 160; scores and context 2 * 2*2*2*4 = 64
        Stage2Flops.MatmulCount c = Stage2Flops.opt(OPT, 1, 2, 2);
        assertEquals(672, c.weights());
        assertEquals(64, c.activations());
        assertEquals(736, c.forward());
        assertEquals(2 * 736, c.backward());
        assertEquals(672 + 128, c.backwardToInputs()); // frozen: no weight gradients
    }

    @Test
    void oneT5CallMatchesTheHandCount() {
        // D=4, 2 heads of 2 (inner 4), F=8, V=10, one encoder and one decoder block; 1 row, 3 encoder and
        // 2 decoder positions. Encoder: q, k, v, o 4*2*3*4*4 = 384, gated wi_0 + wi_1 + wo 3*2*3*4*8 = 576.
        // Decoder: self q, k, v, o 4*2*2*4*4 = 256; cross q, o 2*2*2*4*4 = 128 and k, v over the encoder
        // 2*2*3*4*4 = 192; gated 3*2*2*4*8 = 384; LM head 2*2*4*10 = 160. Scores and context: encoder
        // 2*2*3*3*4 = 144, decoder self 2*2*2*2*4 = 64, cross 2*2*2*3*4 = 96.
        T5Config t5 = new T5Config(10, 4, 2, 8, 1, 1, 2, 8, 20, 1e-6, 0, 0, 1, false);
        Stage2Flops.MatmulCount c = Stage2Flops.t5(t5, 1, 3, 2);
        assertEquals(384 + 576 + 256 + 128 + 192 + 384 + 160, c.weights());
        assertEquals(144 + 64 + 96, c.activations());
        assertEquals(2080 + 2 * 304, c.backwardToInputs());
    }

    @Test
    void theCacheSavesRecomputingThePrefix() {
        // one new token: only the prefix call, with or without the cache
        assertEquals(Stage2Flops.generation(OPT, 1, 3, 1, true), Stage2Flops.generation(OPT, 1, 3, 1, false));
        // two tokens: the second call reads 1 position (cached) or all 4 again (recomputed)
        double prefix = Stage2Flops.opt(OPT, 1, 3, 3).forward();
        assertEquals(prefix + Stage2Flops.opt(OPT, 1, 1, 4).forward(), Stage2Flops.generation(OPT, 1, 3, 2, true));
        assertEquals(prefix + Stage2Flops.opt(OPT, 1, 4, 4).forward(), Stage2Flops.generation(OPT, 1, 3, 2, false));
        assertTrue(Stage2Flops.generation(OPT, 2, 8, 10, false) > 3 * Stage2Flops.generation(OPT, 2, 8, 10, true));
    }
}
