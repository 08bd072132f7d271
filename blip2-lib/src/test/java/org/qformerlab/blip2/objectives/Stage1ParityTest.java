package org.qformerlab.blip2.objectives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.qformerlab.blip2.testing.Fixtures.assertClose;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.qformerlab.blip2.checkpoint.NameMap;
import org.qformerlab.blip2.checkpoint.Safetensors;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.config.ObjectiveConfig;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.testing.Fixtures;

/**
 * Stage-1 parity with LAVIS: for every stage-1 fixture folder, build the model from its
 * config.json, load its weights, run the three objectives with the fixture's fixed negatives, and
 * compare every expected tensor (outputs, losses, gradients) within 1e-4 relative error.
 */
class Stage1ParityTest {

    @TestFactory
    List<DynamicNode> everyStage1FixtureMatchesLavis() {
        List<DynamicNode> folders = new ArrayList<>();
        for (Path dir : Fixtures.stage1()) {
            folders.add(DynamicContainer.dynamicContainer(dir.getFileName().toString(), checks(dir)));
        }
        return folders;
    }

    private static List<DynamicNode> checks(Path dir) {
        Map<String, float[]> expectedValues = new LinkedHashMap<>();
        Map<String, long[]> expectedShapes = new LinkedHashMap<>();
        Map<String, float[]> actualValues = new LinkedHashMap<>();
        Map<String, long[]> actualShapes = new LinkedHashMap<>();
        JsonNode json = Fixtures.config(dir);
        try (NDManager m = NDManager.newBaseManager()) {
            Blip2QFormer model = Blip2QFormer.create(Fixtures.qformerConfig(json), m);
            Weights.load(model, dir.resolve("model.safetensors"), NameMap.LAVIS, Weights.Policy.strict());
            Map<String, NDArray> in = Safetensors.read(m, dir.resolve("inputs.safetensors"));
            Map<String, NDArray> expected = Safetensors.read(m, dir.resolve("expected.safetensors"));
            var objective = new Stage1Objective(
                    ObjectiveConfig.blip2(),
                    new FixedNegatives(
                            in.get("neg_image_for_text").toLongArray(), in.get("neg_text_for_image").toLongArray()));

            Stage1Output out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                out = objective.forward(m, model, in.get("image_embeds"), in.get("text_ids"), in.get("text_mask"), false);
                gc.backward(out.total());
            }
            var params = model.namedParameters();
            Map<String, Function<Void, NDArray>> actual = new LinkedHashMap<>();
            final Stage1Output o = out;
            actual.put("ln_vision_out", v -> model.normalizeImage(in.get("image_embeds")));
            actual.put("query_output", v -> o.queryOutput());
            actual.put("text_output", v -> o.textOutput());
            actual.put("image_feats", v -> o.imageFeats());
            actual.put("text_feat", v -> o.textFeat());
            actual.put("sim_i2t", v -> o.similarities().imageToText());
            actual.put("sim_t2i", v -> o.similarities().textToImage());
            actual.put("itm_output", v -> o.itmOutput());
            actual.put("itm_logits", v -> o.itmLogits());
            actual.put("lm_logits", v -> o.lmLogits());
            actual.put("loss_itc", v -> o.itc());
            actual.put("loss_itm", v -> o.itm());
            actual.put("loss_lm", v -> o.itg());
            actual.put("loss", v -> o.total());
            for (Map.Entry<String, NDArray> e : expected.entrySet()) {
                String name = e.getKey();
                NDArray a;
                if (name.startsWith("grad.")) {
                    a = params.get(name.substring(5)).getArray().getGradient();
                } else {
                    a = actual.containsKey(name) ? actual.get(name).apply(null) : null;
                }
                expectedValues.put(name, e.getValue().toFloatArray());
                expectedShapes.put(name, e.getValue().getShape().getShape());
                if (a != null) {
                    actualValues.put(name, a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray());
                    actualShapes.put(name, a.getShape().getShape());
                }
            }
        }
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(DynamicTest.dynamicTest("expected.safetensors holds every stage-1 tensor",
                () -> Fixtures.assertHasExpected(dir, Fixtures.Kind.STAGE1, expectedValues.keySet())));
        for (String name : expectedValues.keySet()) {
            tests.add(DynamicTest.dynamicTest(name, () -> {
                try (NDManager m = NDManager.newBaseManager()) {
                    NDArray e = m.create(expectedValues.get(name), new ai.djl.ndarray.types.Shape(expectedShapes.get(name)));
                    float[] av = actualValues.get(name);
                    assertEquals(true, av != null, name + " is not produced by the implementation");
                    NDArray a = m.create(av, new ai.djl.ndarray.types.Shape(actualShapes.get(name)));
                    assertClose(dir.getFileName() + "/" + name, e, a);
                }
            }));
        }
        return tests;
    }
}
