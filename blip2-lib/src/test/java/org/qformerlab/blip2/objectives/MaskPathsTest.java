package org.qformerlab.blip2.objectives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.config.BlockMask;
import org.qformerlab.blip2.config.BlockMask.Block;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.config.MatrixMask;
import org.qformerlab.blip2.config.ObjectiveConfig;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.config.StandardMask;
import org.qformerlab.blip2.nn.GradMode;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.qformer.Blip2QFormer;

/**
 * The objective runs each branch under the config's mask: the shortcuts (two ITC passes, ITG on the
 * cached query pass) give what one joint pass under the same mask gives, for BLIP-2's masks and for
 * custom ones, and a custom mask changes the loss of its own branch only.
 */
class MaskPathsTest {

    static final int B = 4;
    static final int T = 6;
    NDManager m;
    Blip2QFormer model;
    NDArray image;
    NDArray ids;
    NDArray textMask;

    @BeforeEach
    void setUp() {
        Seeds.set(5);
        m = NDManager.newBaseManager();
        // weights larger than BERT's 0.02, so that what a mask changes shows in the logits
        QFormerConfig c = org.qformerlab.blip2.config.ConfigPaths.with(QFormerConfig.tiny(), "initializerRange", 0.3);
        model = Blip2QFormer.create(c, m);
        image = m.randomNormal(new Shape(B, 5, c.visionWidth()));
        ids = m.randomInteger(5, c.vocabSize(), new Shape(B, T), DataType.INT64);
        ids.set(new ai.djl.ndarray.index.NDIndex(":, 0"), (long) c.clsTokenId());
        // two texts are padded: padding must combine with every mask on every path
        textMask = m.create(new long[] {
            1, 1, 1, 1, 1, 1,
            1, 1, 1, 1, 0, 0,
            1, 1, 1, 1, 1, 1,
            1, 1, 1, 0, 0, 0}, new Shape(B, T));
        ids.set(new ai.djl.ndarray.index.NDIndex("1, 4:"), 0L);
        ids.set(new ai.djl.ndarray.index.NDIndex("3, 3:"), 0L);
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    /**
     * What each branch computes, flattened: {@code itc} the query and [CLS] projections, {@code itm}
     * the match logits, {@code itg} the next-token logits (an untrained model's losses barely move
     * when a mask changes; its outputs do).
     */
    private Map<String, float[]> outputs(ObjectiveConfig config, boolean generalPathOnly) {
        Stage1Objective objective = new Stage1Objective(config, new FixedNegatives(new long[] {1, 2, 3, 0}, new long[] {3, 0, 1, 2}));
        if (generalPathOnly) {
            objective.generalPathOnly();
        }
        try (NDManager scope = m.newSubManager(); GradMode off = GradMode.off()) {
            Stage1Output out = objective.forward(scope, model, image, ids, textMask, false);
            Map<String, float[]> values = new java.util.LinkedHashMap<>();
            values.put("itc", out.imageFeats().flatten().concat(out.textFeat().flatten()).toFloatArray());
            values.put("itm", out.itmLogits().toFloatArray());
            values.put("itg", out.lmLogits().toFloatArray());
            values.put("losses", new float[] {out.itc().getFloat(), out.itm().getFloat(), out.itg().getFloat()});
            return values;
        }
    }

    private static float maxDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        float d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    private static void assertSame(Map<String, float[]> expected, Map<String, float[]> actual, double tol) {
        expected.forEach((k, v) -> assertTrue(maxDiff(v, actual.get(k)) <= tol,
                k + " differs by " + maxDiff(v, actual.get(k)) + " > " + tol));
    }

    private static void assertDiffer(Map<String, float[]> a, Map<String, float[]> b, String branch) {
        assertTrue(maxDiff(a.get(branch), b.get(branch)) > 1e-4, branch + "'s mask made no difference: "
                + maxDiff(a.get(branch), b.get(branch)));
    }

    @Test
    void blip2sShortcutsEqualOneJointPassPerBranch() {
        ObjectiveConfig blip2 = ObjectiveConfig.blip2();
        assertSame(outputs(blip2, true), outputs(blip2, false), 1e-5);
    }

    @Test
    void blip2sMasksWrittenAsRulesGiveExactlyBlip2sLosses() {
        ObjectiveConfig rules = ObjectiveConfig.blip2().toBuilder()
                .itcMask(new BlockMask(null, Block.ALL, Block.NONE, Block.NONE, Block.ALL))
                .itmMask(new BlockMask(null, Block.ALL, Block.ALL, Block.ALL, Block.ALL))
                .itgMask(new BlockMask(null, Block.ALL, Block.NONE, Block.ALL, Block.CAUSAL))
                .build();
        // the same matrices take the same (fast) paths: equal to the last bit
        assertSame(outputs(ObjectiveConfig.blip2(), false), outputs(rules, false), 0);
    }

    @Test
    void customMasksShortcutsEqualTheGeneralPath() {
        // ITC keeps queries and text apart, the queries attending causally; ITG's queries see only
        // themselves (so its query pass cannot be ITC's)
        ObjectiveConfig custom = ObjectiveConfig.blip2().toBuilder()
                .itcMask(new BlockMask("causal queries", Block.CAUSAL, Block.NONE, Block.NONE, Block.ALL))
                .itgMask(new BlockMask("self queries", Block.SELF, Block.NONE, Block.ALL, Block.CAUSAL))
                .build();
        Map<String, float[]> fast = outputs(custom, false);
        assertSame(outputs(custom, true), fast, 1e-5);
        Map<String, float[]> blip2 = outputs(ObjectiveConfig.blip2(), false);
        assertDiffer(fast, blip2, "itc");
        assertDiffer(fast, blip2, "itg");
    }

    @Test
    void aCustomMaskChangesOnlyItsOwnBranch() {
        // ITM: queries read only the first token ([CLS]); a matrix for the tiny Q-Former's 4 queries and
        // 16 text positions, of which the batch's 6 use the top-left corner
        int s = 4 + QFormerConfig.tiny().maxTextLength();
        boolean[][] a = StandardMask.BIDIRECTIONAL.matrix(4, s - 4);
        for (int i = 0; i < 4; i++) {
            for (int j = 5; j < s; j++) {
                a[i][j] = false;
            }
        }
        ObjectiveConfig custom = ObjectiveConfig.blip2().withItmMask(MatrixMask.of("queries read [CLS]", a));
        Map<String, float[]> blip2 = outputs(ObjectiveConfig.blip2(), false);
        Map<String, float[]> mine = outputs(custom, false);
        assertDiffer(mine, blip2, "itm");
        assertEquals(0f, maxDiff(blip2.get("itc"), mine.get("itc")));
        assertEquals(0f, maxDiff(blip2.get("itg"), mine.get("itg")));
    }

    @Test
    void aMatrixForAnotherQFormerIsRefusedBeforeTheFirstStep() {
        ObjectiveConfig custom = ObjectiveConfig.blip2().withItmMask(
                MatrixMask.of(null, StandardMask.BIDIRECTIONAL.matrix(2, 3)));
        var e = assertThrows(ConfigException.class, () -> outputs(custom, false));
        assertTrue(e.getMessage().startsWith("objective.itmMask is a 5x5 matrix but [queries ; text] has"
                + " qformer.numQueries=4 + qformer.maxTextLength=16"), e.getMessage());
    }

    @Test
    void aLeakyGenerationMaskRunsWhenAskedFor() {
        ObjectiveConfig leaky = ObjectiveConfig.blip2().toBuilder()
                .itgMask(StandardMask.BIDIRECTIONAL).itgLeakyGeneration(true).build();
        Map<String, float[]> honest = outputs(ObjectiveConfig.blip2(), false);
        Map<String, float[]> leaked = outputs(leaky, false);
        assertTrue(Float.isFinite(leaked.get("losses")[2]));
        assertDiffer(leaked, honest, "itg");
        assertEquals(0f, maxDiff(honest.get("itc"), leaked.get("itc")));
    }
}
