package org.qformerlab.blip2.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.qformerlab.blip2.testing.Fixtures.assertClose;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.qformerlab.blip2.checkpoint.CheckpointException;
import org.qformerlab.blip2.checkpoint.NameMap;
import org.qformerlab.blip2.checkpoint.Safetensors;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.llm.Generation;
import org.qformerlab.blip2.llm.GenerationConfig;
import org.qformerlab.blip2.testing.Fixtures;

/**
 * Stage-2 parity with LAVIS {@code blip2_opt.py}: for every stage-2 fixture folder, the model is
 * built from its config.json and its weights are loaded once under LAVIS names
 * ({@code model.safetensors}) and once under Hugging Face names ({@code model.hf.safetensors}).
 * Two chains are compared with the expected tensors within 1e-4 relative error:
 *
 * <ul>
 *   <li><b>end to end</b>, from the image features: query output, projected queries, logits,
 *       loss, the gradients of the loss, greedy tokens and each greedy step's logits;
 *   <li><b>language side</b>, from the fixture's own {@code query_output}: projection, frozen
 *       OPT, loss, {@code grad.opt_proj.weight} and greedy decoding. It needs only
 *       {@code opt_proj} and {@code opt_model} from the checkpoint, so it localises a failure
 *       of the end-to-end chain to the Q-Former or to the language side.
 * </ul>
 */
class Stage2ParityTest {

    private record Format(String file, NameMap names) {}

    private static final List<Format> FORMATS = List.of(
            new Format("model.safetensors", NameMap.LAVIS), new Format("model.hf.safetensors", NameMap.HUGGING_FACE));

    /** What the language side can be checked on without the Q-Former. */
    private static final List<String> LANGUAGE_SIDE =
            List.of("inputs_opt", "logits", "loss", "grad.opt_proj.weight", "greedy_tokens", "greedy_step_logits");

    @TestFactory
    List<DynamicNode> everyStage2FixtureMatchesLavis() {
        List<DynamicNode> folders = new ArrayList<>();
        for (Path dir : Fixtures.stage2()) {
            List<DynamicNode> formats = new ArrayList<>();
            for (Format f : FORMATS) {
                formats.add(DynamicContainer.dynamicContainer(f.names().toString(), List.of(
                        DynamicContainer.dynamicContainer("end to end", compare(dir, f, true)),
                        DynamicContainer.dynamicContainer("language side", compare(dir, f, false)))));
            }
            folders.add(DynamicContainer.dynamicContainer(dir.getFileName().toString(), formats));
        }
        return folders;
    }

    /** Copies of the tensors (values and shapes) that outlive the managers. */
    private record Values(Map<String, float[]> values, Map<String, long[]> shapes) {
        Values() {
            this(new LinkedHashMap<>(), new LinkedHashMap<>());
        }

        void put(String name, NDArray a) {
            values.put(name, a.toType(DataType.FLOAT32, false).toFloatArray());
            shapes.put(name, a.getShape().getShape());
        }
    }

    private static List<DynamicNode> compare(Path dir, Format format, boolean endToEnd) {
        JsonNode json = Fixtures.config(dir);
        JsonNode opt = json.get("opt");
        int promptLength = opt.get("prompt_len").asInt();
        int steps = opt.get("generate_steps").asInt();
        Values expected = new Values();
        Values actual = new Values();
        List<DynamicNode> tests = new ArrayList<>();
        String loadError = null;
        try (NDManager m = NDManager.newBaseManager()) {
            Stage2Model model = Stage2Model.create(Fixtures.qformerConfig(json), Fixtures.optConfig(json), m);
            Weights.Policy policy = model.checkpointPolicy();
            if (!endToEnd) {
                policy = policy.allowMissing(n -> !n.startsWith("opt_proj.") && !n.startsWith("opt_model."));
            }
            Map<String, NDArray> expectedTensors = Safetensors.read(m, dir.resolve("expected.safetensors"));
            expectedTensors.forEach((name, t) -> {
                if (endToEnd || LANGUAGE_SIDE.contains(name)) {
                    expected.put(name, t);
                }
            });
            try {
                Weights.Report report = Weights.loadReporting(model, dir.resolve(format.file()), format.names(), policy);
                if (endToEnd) {
                    tests.add(DynamicTest.dynamicTest("text side of the Q-Former absent on purpose", () -> {
                        List<String> absent = report.absentOnPurpose().values().iterator().next();
                        assertTrue(absent.contains("Qformer.bert.embeddings.word_embeddings.weight"), report.toString());
                        assertTrue(absent.contains("Qformer.bert.encoder.layer.0.output.dense.weight"), report.toString());
                        assertTrue(report.allowedMissing().isEmpty(), report.toString());
                    }));
                }
            } catch (CheckpointException e) {
                loadError = e.getMessage();
            }
            if (loadError == null) {
                run(m, dir, model, endToEnd, promptLength, steps, opt.get("pad_id").asInt(), expectedTensors, actual);
                var params = model.namedParameters();
                tests.add(DynamicTest.dynamicTest("the LLM is frozen, the bridge trains", () -> {
                    params.forEach((name, p) -> {
                        if (name.startsWith("opt_model.")) {
                            assertFalse(p.requiresGradient(), name + " must be frozen");
                        }
                    });
                    assertTrue(params.get("opt_proj.weight").requiresGradient());
                    assertTrue(params.get("query_tokens").requiresGradient());
                }));
            }
        }
        if (loadError != null) {
            // a fixture that cannot be loaded is a failure of this chain, never a skip
            String error = loadError;
            tests.add(DynamicTest.dynamicTest("checkpoint has every tensor the chain needs", () -> fail(
                    dir.getFileName() + "/" + format.file() + " cannot be loaded: " + error)));
            return tests;
        }
        if (endToEnd) {
            tests.add(DynamicTest.dynamicTest("expected.safetensors holds every stage-2 OPT tensor",
                    () -> Fixtures.assertHasExpected(dir, Fixtures.Kind.OPT, expected.values().keySet())));
        }
        for (String name : expected.values().keySet()) {
            tests.add(DynamicTest.dynamicTest(name, () -> {
                float[] av = actual.values().get(name);
                assertTrue(av != null, name + " is not produced by the implementation");
                String what = dir.getFileName() + "/" + format.names() + "/" + name;
                if (name.equals("greedy_tokens")) {
                    assertArrayEquals(expected.values().get(name), av, what);
                    return;
                }
                try (NDManager m = NDManager.newBaseManager()) {
                    NDArray e = m.create(expected.values().get(name), new Shape(expected.shapes().get(name)));
                    NDArray a = m.create(av, new Shape(actual.shapes().get(name)));
                    assertClose(what, e, a);
                }
            }));
        }
        return tests;
    }

    /** One forward + backward and one greedy decoding; copies what the fixture has into {@code actual}. */
    private static void run(
            NDManager m, Path dir, Stage2Model model, boolean endToEnd, int promptLength, int steps, int pad,
            Map<String, NDArray> expected, Values actual) {
        Map<String, NDArray> in = Safetensors.read(m, dir.resolve("inputs.safetensors"));
        NDArray image = in.get("image_embeds");
        NDArray ids = in.get("opt_ids");
        QFormerBridge bridge = (QFormerBridge) model.bridge();
        Stage2Model.Output out;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            if (endToEnd) {
                out = model.forward(m, image, ids, in.get("opt_mask"), promptLength, false);
            } else {
                NDArray queries = expected.get("query_output");
                var prompt = new Bridge.VisualPrompt(bridge.projection().forward(queries), queries);
                out = model.languageModelling(m, prompt, ids, in.get("opt_mask"), promptLength, false);
            }
            gc.backward(out.loss());
        }
        actual.put("query_output", out.prompt().hidden());
        actual.put("inputs_opt", out.prompt().embeds());
        actual.put("logits", out.logits());
        actual.put("loss", out.loss());
        model.namedParameters().forEach((name, p) -> {
            NDArray g = p.requiresGradient() ? p.getArray().getGradient() : null;
            if (g != null && expected.containsKey("grad." + name)) {
                actual.put("grad." + name, g);
            }
        });

        NDArray prompt = ids.get(new NDIndex(":, :{}", promptLength));
        GenerationConfig greedy = GenerationConfig.greedy(steps, -1, pad).withStepLogits(true);
        Generation gen = endToEnd
                ? model.generate(m, image, prompt, greedy)
                : model.generateFrom(m, out.prompt().embeds().stopGradient(), prompt, greedy);
        long b = ids.getShape().get(0);
        actual.put("greedy_tokens", m.create(flatten(gen.tokens()), new Shape(b, steps)));
        actual.put("greedy_step_logits", m.create(flatten(gen.stepLogits()), new Shape(b, steps, model.llm().vocabSize())));
    }

    /** Rows after rows, as one array (generated tokens). */
    static long[] flatten(long[][] rows) {
        return java.util.Arrays.stream(rows).flatMapToLong(java.util.Arrays::stream).toArray();
    }

    /** Rows after rows, as one array (per-step logits). */
    static float[] flatten(float[][][] rows) {
        int n = 0;
        for (float[][] r : rows) {
            for (float[] s : r) {
                n += s.length;
            }
        }
        float[] out = new float[n];
        int i = 0;
        for (float[][] r : rows) {
            for (float[] s : r) {
                System.arraycopy(s, 0, out, i, s.length);
                i += s.length;
            }
        }
        return out;
    }
}
