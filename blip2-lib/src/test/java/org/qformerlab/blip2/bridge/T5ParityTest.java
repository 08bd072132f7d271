package org.qformerlab.blip2.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
import java.util.function.Function;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.qformerlab.blip2.checkpoint.NameMap;
import org.qformerlab.blip2.checkpoint.Safetensors;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.llm.CausalLm;
import org.qformerlab.blip2.llm.Generation;
import org.qformerlab.blip2.llm.GenerationConfig;
import org.qformerlab.blip2.llm.Generator;
import org.qformerlab.blip2.llm.T5Config;
import org.qformerlab.blip2.llm.T5Model;
import org.qformerlab.blip2.nn.CrossEntropy;
import org.qformerlab.blip2.testing.Fixtures;
import org.qformerlab.blip2.vision.VisionConfig;

/**
 * Stage-2 parity with LAVIS {@code blip2_t5.py} (FlanT5): for every fixture folder whose config.json
 * has a {@code t5} object, a BLIP-2 with a frozen T5 is built from the config, loaded once from
 * {@code model.safetensors} (LAVIS names) and once from {@code model.hf.safetensors} (Hugging Face
 * names), and run as LAVIS runs it: image features -> Q-Former (queries only) -> {@code t5_proj}
 * -> the T5 encoder over [projected queries ; prefix] -> the decoder over the shifted target. Query
 * output, projected queries, encoder output, logits, loss, the gradients of the loss (T5 frozen,
 * gradients flowing through it) and greedy decoding are compared within 1e-4 relative error.
 */
class T5ParityTest {

    private record Format(String file, boolean huggingFace) {}

    private static final List<Format> FORMATS =
            List.of(new Format("model.safetensors", false), new Format("model.hf.safetensors", true));

    @TestFactory
    List<DynamicNode> everyT5FixtureMatchesLavis() {
        List<DynamicNode> folders = new ArrayList<>();
        for (Path dir : Fixtures.t5()) {
            List<DynamicNode> formats = new ArrayList<>();
            for (Format f : FORMATS) {
                formats.add(DynamicContainer.dynamicContainer(f.file(), compare(dir, f)));
            }
            folders.add(DynamicContainer.dynamicContainer(dir.getFileName().toString(), formats));
        }
        return folders;
    }

    /** The T5 that a fixture's {@code t5} object describes (dropout off: LAVIS ran in eval mode). */
    static T5Config t5Config(JsonNode t) {
        return new T5Config(t.get("vocab").asInt(), t.get("d_model").asInt(), t.get("d_kv").asInt(),
                t.get("d_ff").asInt(), t.get("num_layers").asInt(), t.get("num_decoder_layers").asInt(),
                t.get("num_heads").asInt(), t.get("relative_attention_num_buckets").asInt(),
                t.get("relative_attention_max_distance").asInt(), t.get("layer_norm_epsilon").asDouble(), 0.0,
                t.get("pad_id").asInt(), t.get("eos_id").asInt(), t.get("tie_word_embeddings").asBoolean(),
                t.get("dense_act_fn").asText());
    }

    private static List<DynamicNode> compare(Path dir, Format format) {
        JsonNode json = Fixtures.config(dir);
        JsonNode t = json.get("t5");
        Map<String, float[]> expectedValues = new LinkedHashMap<>();
        Map<String, long[]> expectedShapes = new LinkedHashMap<>();
        Map<String, float[]> actualValues = new LinkedHashMap<>();
        Map<String, long[]> actualShapes = new LinkedHashMap<>();
        List<DynamicNode> tests = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            int width = json.get("vision_width").asInt();
            // the fixtures hold image features, not an encoder: any small ViT of the right width
            VisionConfig vision = new VisionConfig(16, 8, 3, width, 1, 4, 2 * width, 1e-5, 1);
            Blip2ConditionalGeneration model = Blip2ConditionalGeneration.create(
                    new Blip2Config(vision, Fixtures.qformerConfig(json), null, t5Config(t)), m);
            NameMap names = format.huggingFace() ? model.huggingFaceNames() : model.lavisNames();
            Weights.Policy policy = model.checkpointPolicy().allowMissing(n -> n.startsWith("vision_model.")
                    && (!format.huggingFace() || !n.startsWith("vision_model.post_layernorm.")));
            Weights.loadReporting(model, dir.resolve(format.file()), names, policy);

            Map<String, NDArray> in = Safetensors.read(m, dir.resolve("inputs.safetensors"));
            Map<String, NDArray> expected = Safetensors.read(m, dir.resolve("expected.safetensors"));
            T5Model t5 = ((T5LanguageModel) model.llm()).t5();
            Map<String, Function<Void, NDArray>> actual = new LinkedHashMap<>();
            NDArray image = in.get("image_embeds").toType(DataType.FLOAT32, false);
            NDArray prefixIds = in.get("prefix_ids");
            NDArray prefixMask = in.get("prefix_mask").toType(DataType.INT64, false);
            NDArray outputIds = in.get("output_ids");
            NDArray outputMask = in.get("output_mask").toType(DataType.INT64, false);
            long b = outputIds.getShape().get(0);
            long to = outputIds.getShape().get(1);
            int start = t5.config().decoderStartTokenId();
            int pad = t5.config().padTokenId();

            NDArray encoderMask;
            NDArray encoded;
            NDArray logits;
            NDArray loss;
            Bridge.VisualPrompt prompt;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                prompt = model.bridge().forward(m, image, null, false);
                long q = prompt.embeds().getShape().get(1);
                NDArray inputs = prompt.embeds().concat(t5.embedTokens(prefixIds), 1);
                encoderMask = m.ones(new Shape(b, q), DataType.INT64).concat(prefixMask, 1);
                encoded = t5.encode(inputs, encoderMask, false);
                // decoder input: the start token, then the target shifted right (its padding kept as pad)
                NDArray decoderIds = m.full(new Shape(b, 1), start, DataType.INT64)
                        .concat(outputIds.get(new NDIndex(":, :{}", to - 1)), 1);
                CausalLm decoder = t5.decoderFor(encoded, encoderMask);
                logits = decoder.forward(decoder.embedTokens(decoderIds), outputMask, null, false).logits();
                NDArray valid = outputIds.neq(pad).toType(DataType.FLOAT32, false).reshape(b * to);
                loss = CrossEntropy.loss(logits.reshape(b * to, t5.config().vocabSize()), outputIds.reshape(b * to),
                        0.0, valid);
                gc.backward(loss);
            }
            final NDArray enc = encoded;
            final NDArray lg = logits;
            final NDArray ls = loss;
            final Bridge.VisualPrompt p = prompt;
            var params = model.namedParameters();
            actual.put("query_output", v -> p.hidden());
            actual.put("inputs_t5", v -> p.embeds());
            actual.put("encoder_last_hidden_state", v -> enc);
            actual.put("logits", v -> lg);
            actual.put("loss", v -> ls);

            // greedy: the same encoder input, the decoder from [start] with no mask, no stop at EOS
            int steps = t.get("generate_steps").asInt();
            CausalLm decoder = t5.decoderFor(encoded.stopGradient(), encoderMask);
            NDArray startEmbeds = decoder.embedTokens(m.full(new Shape(b, 1), start, DataType.INT64));
            Generation g = Generator.generate(decoder, startEmbeds, null,
                    GenerationConfig.greedy(steps, -1, pad).withStepLogits(true));
            NDArray tokens = m.create(Stage2ParityTest.flatten(g.tokens()), new Shape(b, steps));
            NDArray stepLogits = m.create(Stage2ParityTest.flatten(g.stepLogits()), new Shape(b, steps, t5.config().vocabSize()));
            actual.put("greedy_tokens", v -> tokens);
            actual.put("greedy_step_logits", v -> stepLogits);

            for (Map.Entry<String, NDArray> e : expected.entrySet()) {
                String name = e.getKey();
                NDArray a = name.startsWith("grad.") ? params.get(name.substring(5)).getArray().getGradient()
                        : actual.containsKey(name) ? actual.get(name).apply(null) : null;
                expectedValues.put(name, e.getValue().toType(DataType.FLOAT32, false).toFloatArray());
                expectedShapes.put(name, e.getValue().getShape().getShape());
                if (a != null) {
                    actualValues.put(name, a.toType(DataType.FLOAT32, false).toFloatArray());
                    actualShapes.put(name, a.getShape().getShape());
                }
            }
            tests.add(DynamicTest.dynamicTest("the T5 is frozen, the bridge trains", () -> {
                params.forEach((name, prm) -> {
                    if (name.startsWith("t5_model.")) {
                        assertFalse(prm.requiresGradient(), name + " must be frozen");
                    }
                });
                assertTrue(params.get("t5_proj.weight").requiresGradient());
                assertTrue(params.get("query_tokens").requiresGradient());
            }));
        }
        tests.add(DynamicTest.dynamicTest("expected.safetensors holds every stage-2 FlanT5 tensor",
                () -> Fixtures.assertHasExpected(dir, Fixtures.Kind.T5, expectedValues.keySet())));
        for (String name : expectedValues.keySet()) {
            tests.add(DynamicTest.dynamicTest(name, () -> {
                float[] av = actualValues.get(name);
                assertTrue(av != null, name + " is not produced by the implementation");
                String what = dir.getFileName() + "/" + format.file() + "/" + name;
                if (name.equals("greedy_tokens")) {
                    assertArrayEquals(expectedValues.get(name), av, what);
                    return;
                }
                try (NDManager m = NDManager.newBaseManager()) {
                    assertClose(what, m.create(expectedValues.get(name), new Shape(expectedShapes.get(name))),
                            m.create(av, new Shape(actualShapes.get(name))));
                }
            }));
        }
        return tests;
    }
}
