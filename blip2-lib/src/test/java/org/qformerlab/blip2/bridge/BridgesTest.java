package org.qformerlab.blip2.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.data.TextTensors;
import org.qformerlab.blip2.llm.OptConfig;
import org.qformerlab.blip2.nn.Seeds;

/** Every bridge type behind one interface: shapes, where gradients go, the instruction. */
class BridgesTest {

    private static final QFormerConfig Q = QFormerConfig.tiny(); // H 32, 4 heads, 4 queries, Dv 24, 2 layers
    private static final int PATCHES = 5;

    private static Stage2Model model(BridgeConfig config, NDManager m) {
        OptConfig opt = OptConfig.tiny();
        return Stage2Model.create(config.create(Q, PATCHES, opt.hiddenSize(), QFormerBridge.OPT_PROJ), opt, m);
    }

    private static TextTensors instruction(NDManager m, long... ids) {
        long[] mask = new long[ids.length];
        java.util.Arrays.fill(mask, 1);
        return new TextTensors(m.create(ids, new Shape(1, ids.length)), m.create(mask, new Shape(1, ids.length)));
    }

    @ParameterizedTest
    @EnumSource(BridgeType.class)
    void everyBridgeGivesASoftPromptOfPromptLengthPositionsAtTheLlmWidth(BridgeType type) {
        try (NDManager m = NDManager.newBaseManager()) {
            Stage2Model model = model(BridgeConfig.of(type), m);
            int expected = type == BridgeType.LINEAR ? PATCHES : Q.numQueries();
            assertEquals(expected, model.bridge().promptLength());
            assertEquals(type, model.bridge().type());
            NDArray image = m.randomNormal(new Shape(3, PATCHES, Q.visionWidth()));
            TextTensors instruction = new TextTensors(m.create(new long[] {1, 7, 8, 1, 9, 0, 1, 5, 6},
                    new Shape(3, 3)), m.create(new long[] {1, 1, 1, 1, 1, 0, 1, 1, 1}, new Shape(3, 3)));
            Bridge.VisualPrompt prompt = model.bridge().forward(m, image, instruction, false);
            assertEquals(new Shape(3, expected, OptConfig.tiny().hiddenSize()), prompt.embeds().getShape());
            assertEquals(3, prompt.hidden().getShape().get(0));
        }
        if (type == BridgeType.PERCEIVER || type == BridgeType.ATTENTIONAL_POOLING) {
            try (NDManager m = NDManager.newBaseManager()) {
                Stage2Model model = model(new BridgeConfig(type, 3, 1, 2), m);
                NDArray image = m.randomNormal(new Shape(2, PATCHES, Q.visionWidth()));
                assertEquals(3, model.bridge().promptLength());
                assertEquals(new Shape(2, 3, OptConfig.tiny().hiddenSize()),
                        model.bridge().forward(m, image, false).embeds().getShape());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(BridgeType.class)
    void gradientsReachEveryTrainableBridgeParameterAndTheFrozenLlmGetsNone(BridgeType type) {
        try (NDManager m = NDManager.newBaseManager()) {
            Seeds.set(11);
            Stage2Model model = model(BridgeConfig.of(type), m);
            NDArray image = m.randomNormal(new Shape(2, PATCHES, Q.visionWidth()));
            NDArray ids = m.create(new long[] {2, 7, 8, 9, 2, 5, 6, 1}, new Shape(2, 4));
            NDArray mask = m.create(new long[] {1, 1, 1, 1, 1, 1, 1, 0}, new Shape(2, 4));
            TextTensors instruction = new TextTensors(m.create(new long[] {1, 7, 8, 1, 9, 0}, new Shape(2, 3)),
                    m.create(new long[] {1, 1, 1, 1, 1, 0}, new Shape(2, 3)));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(model.forward(m, image, instruction, ids, mask, 1, true).loss());
            }
            // Exempt by construction: a key bias shifts every score of a row alike, which softmax
            // ignores; the instruction tokens' last feed-forward feeds nothing (only queries go on).
            Pattern exempt = Pattern.compile(".*key\\.bias|Qformer\\.bert\\.encoder\\.layer\\.1\\.(intermediate|output)\\..*");
            List<String> trained = new ArrayList<>();
            model.namedParameters().forEach((name, p) -> {
                if (name.startsWith("opt_model.")) {
                    assertFalse(p.requiresGradient(), name + " belongs to the frozen LLM and must not train");
                } else if (p.requiresGradient() && !exempt.matcher(name).matches()) {
                    double g = p.getArray().getGradient().abs().sum().getFloat();
                    assertTrue(g > 0, "no gradient reached " + name + " of the " + type + " bridge");
                    trained.add(name);
                }
            });
            assertTrue(trained.contains("opt_proj.weight"), trained.toString());
            long bridgeOnly = model.bridge().parameterCount(true);
            assertEquals(bridgeOnly, model.parameterCount(true), "only the bridge trains");
            if (type == BridgeType.INSTRUCTION_QFORMER) {
                assertTrue(trained.contains("Qformer.bert.embeddings.word_embeddings.weight"), trained.toString());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = BridgeType.class, names = {"QFORMER", "INSTRUCTION_QFORMER"})
    void aProjectionOnlyProbeTrainsTheProjectionAndNothingOfTheQFormer(BridgeType type) {
        try (NDManager m = NDManager.newBaseManager()) {
            Seeds.set(12);
            Stage2Model model = model(BridgeConfig.of(type).withProjectionOnly(true), m);
            NDArray image = m.randomNormal(new Shape(2, PATCHES, Q.visionWidth()));
            NDArray ids = m.create(new long[] {2, 7, 8, 9, 2, 5, 6, 1}, new Shape(2, 4));
            NDArray mask = m.create(new long[] {1, 1, 1, 1, 1, 1, 1, 0}, new Shape(2, 4));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(model.forward(m, image, null, ids, mask, 1, true).loss());
            }
            List<String> trained = new ArrayList<>();
            model.namedParameters().forEach((name, p) -> {
                if (p.requiresGradient()) {
                    trained.add(name);
                    assertTrue(p.getArray().getGradient().abs().sum().getFloat() > 0, name);
                }
            });
            assertEquals(java.util.Set.of("opt_proj.weight", "opt_proj.bias"), java.util.Set.copyOf(trained));
            int llm = OptConfig.tiny().hiddenSize();
            assertEquals((long) Q.hiddenSize() * llm + llm, model.parameterCount(true), "H x llm + llm: the projection");
        }
    }

    @Test
    void aProjectionOnlyProbeNeedsAQFormerToFreeze() {
        var e = assertThrows(org.qformerlab.blip2.config.ConfigException.class,
                () -> BridgeConfig.of(BridgeType.PERCEIVER).withProjectionOnly(true));
        assertTrue(e.getMessage().contains("projectionOnly=true") && e.getMessage().contains("type=perceiver")
                && e.getMessage().contains("use type=qformer"), e.getMessage());
    }

    @Test
    void theInstructionAwareQFormersQueriesFollowTheInstructionAndThePlainOnesDoNot() {
        try (NDManager m = NDManager.newBaseManager()) {
            Seeds.set(4);
            QFormerBridge instructed = QFormerBridge.instructionAware(Q, 16, QFormerBridge.OPT_PROJ);
            instructed.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32);
            QFormerBridge plain = new QFormerBridge(Q, 16, QFormerBridge.OPT_PROJ);
            plain.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32);
            assertTrue(instructed.readsInstruction());
            assertFalse(plain.readsInstruction());
            NDArray image = m.randomNormal(new Shape(1, PATCHES, Q.visionWidth()));
            TextTensors describe = instruction(m, 1, 7, 8, 9);
            TextTensors ask = instruction(m, 1, 20, 21, 9);

            float[] a = instructed.queryOutput(m, image, describe, false).toFloatArray();
            float[] b = instructed.queryOutput(m, image, ask, false).toFloatArray();
            float[] aAgain = instructed.queryOutput(m, image, describe, false).toFloatArray();
            assertArrayEquals(a, aAgain, 0f);
            assertTrue(maxDiff(a, b) > 1e-3, "the instruction must change the query outputs: " + maxDiff(a, b));

            float[] p0 = plain.queryOutput(m, image, null, false).toFloatArray();
            assertArrayEquals(p0, plain.queryOutput(m, image, describe, false).toFloatArray(), 0f);
            assertArrayEquals(p0, plain.queryOutput(m, image, ask, false).toFloatArray(), 0f);
        }
    }

    @Test
    void unusedPartsDependOnWhetherTheQFormerReadsText() {
        QFormerBridge plain = new QFormerBridge(Q, 16, QFormerBridge.OPT_PROJ);
        QFormerBridge instructed = QFormerBridge.instructionAware(Q, 16, QFormerBridge.OPT_PROJ);
        String word = "Qformer.bert.embeddings.word_embeddings.weight";
        String textFfn = "Qformer.bert.encoder.layer.0.output.dense.weight";
        assertTrue(plain.unusedParameters().test(word) && plain.unusedParameters().test(textFfn));
        assertFalse(instructed.unusedParameters().test(word) || instructed.unusedParameters().test(textFfn));
        for (String head : List.of("itm_head.weight", "temp", "Qformer.cls.predictions.bias", "vision_proj.weight")) {
            assertTrue(plain.unusedParameters().test(head) && instructed.unusedParameters().test(head), head);
        }
        assertTrue(instructed.namedParameters().get(word).requiresGradient(), word + " must train in InstructBLIP");
        assertFalse(plain.namedParameters().get(word).requiresGradient(), word + " is unused by BLIP-2's query pass");
    }

    @ParameterizedTest
    @EnumSource(BridgeType.class)
    void aParameterBudgetSizesEveryBridgeThatCanBeSizedToWithinTheTolerance(BridgeType type) {
        // the study's shape (qformer H 128, 4 heads, 16 queries, Dv 784, 16 patches, LM width 128)
        QFormerConfig study = new QFormerConfig(128, 4, 4, 512, 16, 2, 784, 1000, 32, 0.0, 0.0, 1e-12, 128, 0.07, 0, 1, 2);
        BridgeConfig base = BridgeConfig.of(type);
        long qformer = BridgeConfig.qformer().trainableParameters(study, 16, 128);
        for (long budget : new long[] {qformer, qformer / 3, 2 * qformer}) {
            BridgeConfig sized = base.withParameterBudget(budget);
            long count = sized.trainableParameters(study, 16, 128);
            if (type.isQFormer()) {
                assertEquals(base.trainableParameters(study, 16, 128), count, "the Q-Former types are never resized");
            } else {
                System.out.printf("budget %d: %s has %d trainable parameters (%+.2f%%)%n", budget, type.id(), count, 100.0 * (count - budget) / budget);
                assertEquals(budget, count, ParameterBudget.TOLERANCE * budget,
                        type + " sized to " + budget + " has " + count + " trainable parameters");
            }
        }
        assertEquals(base.trainableParameters(study, 16, 128),
                base.withParameterBudget(null).trainableParameters(study, 16, 128), "no budget, no sizing");
    }

    @Test
    void theBudgetRuleIsTheClosestWidthAndItsCountIsWhatTrains() {
        // attentional pooling, hand-counted: query N H, ln_q 2H, ln_k 2Dv, attention (H H + H) + 2 (Dv H + H),
        // out_proj H H + H, ln_post 2H, projection H D + D; at Dv 24, N 4, D 16: 2H^2 + 76H + 64
        BridgeConfig pooling = BridgeConfig.of(BridgeType.ATTENTIONAL_POOLING);
        long at40 = 2L * 40 * 40 + 76 * 40 + 64;
        assertEquals(2L * 32 * 32 + 76 * 32 + 64, pooling.trainableParameters(Q, PATCHES, 16));
        // 40 is a multiple of the 4 heads; 1% above its count, 36 and 44 are further away
        BridgeConfig sized = pooling.withParameterBudget(at40 + at40 / 100);
        AttentionalPooling p = (AttentionalPooling) sized.create(Q, PATCHES, 16, QFormerBridge.OPT_PROJ);
        assertEquals(at40, p.parameterCount(true));
        // linear: within tolerance of the single Linear it stays one Linear; above, LLaVA-1.5's MLP
        BridgeConfig linear = BridgeConfig.of(BridgeType.LINEAR);
        long single = 2 * 24 + 24 * 16 + 16;
        assertEquals(single, linear.trainableParameters(Q, PATCHES, 16));
        var one = (LinearProjection) linear.withParameterBudget((long) single + 1).create(Q, PATCHES, 16, QFormerBridge.OPT_PROJ);
        assertEquals(0, one.hiddenWidth());
        // 2 Dv + (Dv W + W) + (W D + D) = 64 + 41 W: W = 100 gives 4164
        var mlp = (LinearProjection) linear.withParameterBudget(4164L).create(Q, PATCHES, 16, QFormerBridge.OPT_PROJ);
        assertEquals(100, mlp.hiddenWidth());
        assertEquals(4164, mlp.parameterCount(true));
    }

    @Test
    void aBudgetNoWidthReachesIsExplained() {
        BridgeConfig perceiver = BridgeConfig.of(BridgeType.PERCEIVER).withParameterBudget(50L);
        var e = assertThrows(org.qformerlab.blip2.config.ConfigException.class,
                () -> perceiver.create(Q, PATCHES, 16, QFormerBridge.OPT_PROJ));
        assertTrue(e.getMessage().contains("stage2.bridge.parameterBudget=50 cannot be met by the perceiver bridge")
                && e.getMessage().contains("raise the budget to at least"), e.getMessage());
        e = assertThrows(org.qformerlab.blip2.config.ConfigException.class,
                () -> BridgeConfig.of(BridgeType.LINEAR).withParameterBudget(0L));
        assertTrue(e.getMessage().contains("stage2.bridge.parameterBudget=0 must be at least 1"), e.getMessage());
    }

    @Test
    void imageFeaturesOfTheWrongShapeAreExplained() {
        try (NDManager m = NDManager.newBaseManager()) {
            Stage2Model linear = model(BridgeConfig.of(BridgeType.LINEAR), m);
            NDArray sevenPatches = m.zeros(new Shape(1, 7, Q.visionWidth()));
            var e = assertThrows(IllegalArgumentException.class, () -> linear.bridge().forward(m, sevenPatches, false));
            assertTrue(e.getMessage().contains("patches=" + PATCHES) && e.getMessage().contains("(1, 7, 24)"),
                    e.getMessage());
            Stage2Model perceiver = model(BridgeConfig.of(BridgeType.PERCEIVER), m);
            NDArray wide = m.zeros(new Shape(1, PATCHES, 30));
            e = assertThrows(IllegalArgumentException.class, () -> perceiver.bridge().forward(m, wide, false));
            assertTrue(e.getMessage().contains("visionWidth=24"), e.getMessage());
        }
    }

    private static float maxDiff(float[] a, float[] b) {
        float d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }
}
