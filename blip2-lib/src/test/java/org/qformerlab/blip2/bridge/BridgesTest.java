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
