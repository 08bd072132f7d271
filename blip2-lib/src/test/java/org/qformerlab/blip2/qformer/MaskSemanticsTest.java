package org.qformerlab.blip2.qformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import java.util.List;
import org.qformerlab.blip2.config.BlockMask;
import org.qformerlab.blip2.config.BlockMask.Block;
import org.qformerlab.blip2.config.MatrixMask;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.config.StandardMask;
import org.qformerlab.blip2.nn.Seeds;

/** What each mask lets influence what, checked on the outputs of a real (tiny) Q-Former. */
class MaskSemanticsTest {

    static final int Q = 4;
    static final int T = 6;
    NDManager m;
    Blip2QFormer model;
    QFormerEncoder enc;

    @BeforeEach
    void setUp() {
        Seeds.set(7);
        m = NDManager.newBaseManager();
        model = Blip2QFormer.create(QFormerConfig.tiny(), m);
        enc = model.encoder();
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    @Test
    void maskMatricesAreTheThreeOfThePaper() {
        AttentionMask itc = AttentionMask.unimodal(2, 2);
        AttentionMask itg = AttentionMask.multimodalCausal(2, 2);
        AttentionMask itm = AttentionMask.bidirectional(2, 2);
        // rows q0 q1 t0 t1 ; columns q0 q1 t0 t1
        assertArrayEquals(new boolean[][] {
            {true, true, false, false}, {true, true, false, false},
            {false, false, true, true}, {false, false, true, true}}, itc.matrix());
        assertArrayEquals(new boolean[][] {
            {true, true, false, false}, {true, true, false, false},
            {true, true, true, false}, {true, true, true, true}}, itg.matrix());
        for (boolean[] row : itm.matrix()) {
            assertArrayEquals(new boolean[] {true, true, true, true}, row);
        }
        assertTrue(itg.toString().contains("q1   ##|.."), itg.toString());
    }

    @Test
    void biasCombinesStructureWithPadding() {
        NDArray mask = m.create(new long[] {1, 1, 0}, new Shape(1, 3));
        float[] bias = AttentionMask.multimodalCausal(1, 3).bias(m, mask).toFloatArray();
        // row t1 (index 2): sees q0, t0, t1; t2 is padding and also in its future
        assertEquals(0f, bias[2 * 4]);
        assertEquals(0f, bias[2 * 4 + 2]);
        assertEquals(AttentionMask.BLOCKED, bias[2 * 4 + 3]);
        // row t2 (index 3) would see t2 but it is padding
        assertEquals(AttentionMask.BLOCKED, bias[3 * 4 + 3]);
    }

    @Test
    void customMaskOfTheWrongSizeIsRejected() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> AttentionMask.custom("mine", Q, T, new boolean[Q + T - 1][Q + T]));
        assertTrue(e.getMessage().contains("has " + (Q + T - 1) + " rows"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class,
                () -> AttentionMask.unimodal(Q, T).bias(m, m.ones(new Shape(2, T + 1))));
        assertTrue(e2.getMessage().contains("text padding mask has length " + (T + 1)), e2.getMessage());
    }

    /** Runs [queries ; text] jointly under a mask; returns hidden [B, Q+T, H]. */
    private NDArray run(AttentionMask mask, NDArray image, NDArray ids) {
        NDArray textMask = m.ones(ids.getShape(), ai.djl.ndarray.types.DataType.INT64);
        return enc.forward(model.queries(m, ids.getShape().get(0)), ids, mask.bias(m, textMask),
                enc.encodeImage(model.normalizeImage(image)), null, false).hidden();
    }

    private NDArray image(int seed) {
        Seeds.set(seed);
        return m.randomNormal(new Shape(2, 5, QFormerConfig.tiny().visionWidth()));
    }

    private NDArray ids(long... lastTokens) {
        long[] v = new long[2 * T];
        for (int i = 0; i < v.length; i++) {
            v[i] = 5 + (i * 7) % 40;
        }
        v[0] = 1;
        v[T] = 1;
        for (int i = 0; i < lastTokens.length; i++) {
            v[2 * T - lastTokens.length + i] = lastTokens[i];
        }
        return m.create(v, new Shape(2, T));
    }

    private static float maxDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    private static NDArray rows(NDArray h, int from, int to) {
        return h.get(new NDIndex(":, {}:{}", from, to));
    }

    @Test
    void unimodalMaskKeepsQueriesAndTextApart() {
        AttentionMask itc = AttentionMask.unimodal(Q, T);
        NDArray a = run(itc, image(1), ids(10, 11));
        NDArray textChanged = run(itc, image(1), ids(20, 21));
        NDArray imageChanged = run(itc, image(2), ids(10, 11));
        assertEquals(0f, maxDiff(rows(a, 0, Q), rows(textChanged, 0, Q)), 1e-6, "text leaked into queries");
        assertEquals(0f, maxDiff(rows(a, Q, Q + T), rows(imageChanged, Q, Q + T)), 1e-6, "image leaked into text");
        assertTrue(maxDiff(rows(a, Q, Q + T), rows(textChanged, Q, Q + T)) > 1e-5, "text must depend on text");
        assertTrue(maxDiff(rows(a, 0, Q), rows(imageChanged, 0, Q)) > 1e-5, "queries must depend on the image");
    }

    @Test
    void twoSeparatePassesEqualOneJointPassUnderTheUnimodalMask() {
        NDArray img = image(1);
        NDArray ids = ids(10, 11);
        NDArray joint = run(AttentionMask.unimodal(Q, T), img, ids);
        NDArray queries = enc.forward(model.queries(m, 2), null, null,
                enc.encodeImage(model.normalizeImage(img)), null, false).hidden();
        NDArray text = enc.forward(null, ids, AttentionMask.paddingBias(m.ones(new Shape(2, T))), null, null, false).hidden();
        assertEquals(0f, maxDiff(rows(joint, 0, Q), queries), 1e-5);
        assertEquals(0f, maxDiff(rows(joint, Q, Q + T), text), 1e-5);
    }

    @Test
    void causalMaskHidesTheFuture() {
        AttentionMask itg = AttentionMask.multimodalCausal(Q, T);
        NDArray a = run(itg, image(1), ids(10, 11));
        NDArray b = run(itg, image(1), ids(20, 21)); // last two tokens differ
        NDArray c = run(itg, image(2), ids(10, 11));
        assertEquals(0f, maxDiff(rows(a, 0, Q + T - 2), rows(b, 0, Q + T - 2)), 1e-6, "future tokens leaked");
        assertTrue(maxDiff(rows(a, Q + T - 2, Q + T), rows(b, Q + T - 2, Q + T)) > 1e-5);
        assertTrue(maxDiff(rows(a, Q, Q + T), rows(c, Q, Q + T)) > 1e-5, "text must see the queries");
    }

    @Test
    void cachedQueryPassEqualsTheJointCausalPass() {
        NDArray img = image(1);
        NDArray ids = ids(10, 11);
        NDArray joint = run(AttentionMask.multimodalCausal(Q, T), img, ids);
        EncoderOutput queryPass = enc.forward(model.queries(m, 2), null, null,
                enc.encodeImage(model.normalizeImage(img)), null, false);
        NDArray bias = AttentionMask.multimodalCausal(Q, T).bias(m, m.ones(new Shape(2, T)), Q, Q + T);
        NDArray text = enc.forward(null, ids, bias, null, queryPass.cache(), false).hidden();
        assertEquals(0f, maxDiff(rows(joint, Q, Q + T), text), 1e-5);
    }

    @Test
    void bidirectionalMaskLetsEverythingSeeEverything() {
        AttentionMask itm = AttentionMask.bidirectional(Q, T);
        NDArray a = run(itm, image(1), ids(10, 11));
        NDArray b = run(itm, image(1), ids(10, 21)); // only the last token differs
        NDArray c = run(itm, image(2), ids(10, 11));
        assertTrue(maxDiff(rows(a, 0, Q), rows(b, 0, Q)) > 1e-5, "queries must see the text");
        assertTrue(maxDiff(rows(a, Q, Q + 1), rows(b, Q, Q + 1)) > 1e-5, "first token must see the last");
        assertTrue(maxDiff(rows(a, Q, Q + T), rows(c, Q, Q + T)) > 1e-5, "text must see the image via queries");
    }

    @Test
    void paddedTokensInfluenceNothing() {
        AttentionMask itm = AttentionMask.bidirectional(Q, T);
        NDArray textMask = m.create(new long[] {1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0}, new Shape(2, T));
        ImageContext img = enc.encodeImage(model.normalizeImage(image(1)));
        NDArray a = enc.forward(model.queries(m, 2), ids(10, 11), itm.bias(m, textMask), img, null, false).hidden();
        NDArray b = enc.forward(model.queries(m, 2), ids(20, 21), itm.bias(m, textMask), img, null, false).hidden();
        assertEquals(0f, maxDiff(rows(a, 0, Q + T - 2), rows(b, 0, Q + T - 2)), 1e-6);
        assertFalse(maxDiff(a, b) == 0f, "padded positions themselves still change");
    }

    // ---- custom masks from a config: the same perturbation checks ----

    @Test
    void theStandardMasksFromAConfigAreTheFactoriesMasks() {
        assertArrayEquals(AttentionMask.unimodal(Q, T).matrix(), AttentionMask.of("ITC", StandardMask.UNIMODAL, Q, T).matrix());
        assertEquals("ITM uni-modal", AttentionMask.of("ITM", StandardMask.UNIMODAL, Q, T).name());
        assertTrue(AttentionMask.unimodal(Q, T) == AttentionMask.of("ITC", StandardMask.UNIMODAL, Q, T),
                "standard masks are built once and shared");
    }

    /** Text sees only itself and the queries; queries see only queries. */
    @Test
    void selfRulesLetATokenSeeOnlyItselfAndTheQueries() {
        AttentionMask mask = AttentionMask.of("ITG",
                new BlockMask("bag of words", Block.ALL, Block.NONE, Block.ALL, Block.SELF), Q, T);
        NDArray a = run(mask, image(1), ids(10, 11));
        NDArray b = run(mask, image(1), ids(10, 21)); // only the last token differs
        NDArray c = run(mask, image(2), ids(10, 11));
        assertEquals(0f, maxDiff(rows(a, 0, Q + T - 1), rows(b, 0, Q + T - 1)), 1e-6,
                "the last token reached another position");
        assertTrue(maxDiff(rows(a, Q + T - 1, Q + T), rows(b, Q + T - 1, Q + T)) > 1e-5, "a token must see itself");
        assertTrue(maxDiff(rows(a, Q, Q + T), rows(c, Q, Q + T)) > 1e-5, "text must see the image via the queries");
    }

    /** Queries read the text, the text reads nothing of the queries: the reverse of ITG. */
    @Test
    void queriesCanReadTextThatCannotReadThem() {
        AttentionMask mask = AttentionMask.of("ITC",
                new BlockMask("queries read text", Block.ALL, Block.ALL, Block.NONE, Block.ALL), Q, T);
        NDArray a = run(mask, image(1), ids(10, 11));
        NDArray textChanged = run(mask, image(1), ids(20, 21));
        NDArray imageChanged = run(mask, image(2), ids(10, 11));
        assertTrue(maxDiff(rows(a, 0, Q), rows(textChanged, 0, Q)) > 1e-5, "queries must read the text");
        assertEquals(0f, maxDiff(rows(a, Q, Q + T), rows(imageChanged, Q, Q + T)), 1e-6, "the image leaked into the text");
    }

    /**
     * A matrix: query 0 reads text token 0 only, the other queries no text; text is causal, so t0
     * never hears of t1 and t2 (over two layers q0 would hear of them through t0 otherwise).
     */
    @Test
    void aMatrixMaskControlsSinglePositions() {
        int q = Q;
        int t = 3;
        AttentionMask mask = AttentionMask.of("ITM", new MatrixMask("q0 reads t0", List.of(
                "####|#..",
                "####|...",
                "####|...",
                "####|...",
                "....|#..",
                "....|##.",
                "....|###")), q, t);
        NDManager local = m;
        ImageContext img = enc.encodeImage(model.normalizeImage(local.randomNormal(new Shape(2, 5, QFormerConfig.tiny().visionWidth()))));
        NDArray textMask = local.ones(new Shape(2, t), ai.djl.ndarray.types.DataType.INT64);
        NDArray first = local.create(new long[] {1, 7, 8, 1, 7, 8}, new Shape(2, t));
        NDArray firstChanged = local.create(new long[] {3, 7, 8, 3, 7, 8}, new Shape(2, t));
        NDArray laterChanged = local.create(new long[] {1, 9, 12, 1, 9, 12}, new Shape(2, t));
        NDArray a = enc.forward(model.queries(local, 2), first, mask.bias(local, textMask), img, null, false).hidden();
        NDArray b = enc.forward(model.queries(local, 2), firstChanged, mask.bias(local, textMask), img, null, false).hidden();
        NDArray c = enc.forward(model.queries(local, 2), laterChanged, mask.bias(local, textMask), img, null, false).hidden();
        assertTrue(maxDiff(rows(a, 0, 1), rows(b, 0, 1)) > 1e-5, "q0 must read t0");
        assertEquals(0f, maxDiff(rows(a, 0, q), rows(c, 0, q)), 1e-6, "queries must not see t1, t2");
        assertTrue(maxDiff(rows(a, q, q + t), rows(c, q, q + t)) > 1e-5);
    }

    @Test
    void paddingCombinesWithACustomMask() {
        // queries read the whole text: padded tokens must still influence nothing
        AttentionMask mask = AttentionMask.of("ITC",
                new BlockMask("queries read text", Block.ALL, Block.ALL, Block.NONE, Block.CAUSAL), Q, T);
        NDArray textMask = m.create(new long[] {1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0}, new Shape(2, T));
        ImageContext img = enc.encodeImage(model.normalizeImage(image(1)));
        NDArray a = enc.forward(model.queries(m, 2), ids(10, 11), mask.bias(m, textMask), img, null, false).hidden();
        NDArray b = enc.forward(model.queries(m, 2), ids(20, 21), mask.bias(m, textMask), img, null, false).hidden();
        assertEquals(0f, maxDiff(rows(a, 0, Q + T - 2), rows(b, 0, Q + T - 2)), 1e-6, "a padded token leaked");
    }

    @Test
    void separatePassesUnderACustomBlockDiagonalMaskEqualTheJointPass() {
        // queries see themselves only, text is causal: the two-pass shortcut with each block's own bias
        AttentionMask mask = AttentionMask.of("ITC",
                new BlockMask("separate, causal text", Block.SELF, Block.NONE, Block.NONE, Block.CAUSAL), Q, T);
        assertTrue(mask.separatesQueriesAndText());
        NDArray img = image(1);
        NDArray ids = ids(10, 11);
        NDArray textMask = m.create(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, new Shape(2, T));
        ImageContext context = enc.encodeImage(model.normalizeImage(img));
        NDArray joint = enc.forward(model.queries(m, 2), ids, mask.bias(m, textMask), context, null, false).hidden();
        NDArray queries = enc.forward(model.queries(m, 2), null, mask.queryBias(m), context, null, false).hidden();
        NDArray text = enc.forward(null, ids, mask.textBias(m, textMask), null, null, false).hidden();
        assertEquals(0f, maxDiff(rows(joint, 0, Q), queries), 1e-5);
        assertEquals(0f, maxDiff(rows(joint, Q, Q + T), text), 1e-5);
        assertTrue(AttentionMask.unimodal(Q, T).queryBias(m) == null, "BLIP-2's query pass needs no bias");
    }
}
