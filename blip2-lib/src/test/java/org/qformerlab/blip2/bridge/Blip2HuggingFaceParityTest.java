package org.qformerlab.blip2.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.checkpoint.Safetensors;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.llm.Generation;
import org.qformerlab.blip2.llm.GenerationConfig;
import org.qformerlab.blip2.nn.GradMode;
import org.qformerlab.blip2.testing.Fixtures;
import org.qformerlab.blip2.vision.VisionConfig;

/**
 * The reference stage-2 checkpoints under Hugging Face names ({@code model.hf.safetensors}) load
 * into {@link Blip2ConditionalGeneration} through its own name map ({@code ln_vision} as
 * {@code vision_model.post_layernorm}, OPT's tied {@code lm_head}) and reproduce LAVIS from the
 * image features: projected queries, logits, loss, greedy tokens and each greedy step's logits. The
 * fixtures hold image features, not an image encoder, so only the vision blocks may be missing; any
 * other tensor the checkpoint lacks fails the test.
 */
class Blip2HuggingFaceParityTest {

    @Test
    void everyStage2FixtureLoadsUnderHuggingFaceNamesAndRunsAsLavis() {
        for (Path dir : Fixtures.stage2()) {
            JsonNode json = Fixtures.config(dir);
            JsonNode opt = json.get("opt");
            int promptLength = opt.get("prompt_len").asInt();
            int steps = opt.get("generate_steps").asInt();
            int width = json.get("vision_width").asInt();
            String name = dir.getFileName().toString();
            try (NDManager m = NDManager.newBaseManager(); GradMode ignored = GradMode.off()) {
                VisionConfig vision = new VisionConfig(16, 8, 3, width, 1, 4, 2 * width, 1e-6, 1);
                Blip2ConditionalGeneration model = Blip2ConditionalGeneration.create(
                        new Blip2Config(vision, Fixtures.qformerConfig(json), Fixtures.optConfig(json), null), m);
                Weights.Policy policy = model.checkpointPolicy().allowMissing(
                        n -> n.startsWith("vision_model.") && !n.startsWith("vision_model.post_layernorm."));
                Weights.loadReporting(model, dir.resolve("model.hf.safetensors"), model.huggingFaceNames(), policy);
                Map<String, Parameter> params = model.namedParameters();
                assertArrayEquals(params.get("ln_vision.weight").getArray().toFloatArray(),
                        params.get("vision_model.post_layernorm.weight").getArray().toFloatArray(), 0f,
                        "Hugging Face's post_layernorm is LAVIS's ln_vision");

                Map<String, NDArray> inputs = Safetensors.read(m, dir.resolve("inputs.safetensors"));
                Map<String, NDArray> expected = Safetensors.read(m, dir.resolve("expected.safetensors"));
                NDArray image = inputs.get("image_embeds").toType(DataType.FLOAT32, false);
                NDArray ids = inputs.get("opt_ids");
                // the loaded blocks themselves, seen as a training model: no weight is copied
                Stage2Model chain = new Stage2Model(model.bridge(), model.llm());
                Stage2Model.Output out = chain.forward(m, image, ids, inputs.get("opt_mask"), promptLength, false);
                Fixtures.assertClose(name + " query_output", expected.get("query_output"), out.prompt().hidden());
                Fixtures.assertClose(name + " inputs_opt", expected.get("inputs_opt"), out.prompt().embeds());
                Fixtures.assertClose(name + " logits", expected.get("logits"), out.logits());
                Fixtures.assertClose(name + " loss", expected.get("loss"), out.loss());

                NDArray prompt = ids.get(new NDIndex(":, :{}", promptLength));
                Generation g = model.llm().generate(m, out.prompt().embeds(), prompt,
                        GenerationConfig.greedy(steps, -1, opt.get("pad_id").asInt()).withStepLogits(true));
                long[] want = expected.get("greedy_tokens").toType(DataType.INT64, false).toLongArray();
                assertArrayEquals(want, Stage2ParityTest.flatten(g.tokens()), name + " greedy tokens");
                NDArray stepLogits = m.create(Stage2ParityTest.flatten(g.stepLogits()),
                        expected.get("greedy_step_logits").getShape());
                Fixtures.assertClose(name + " greedy_step_logits", expected.get("greedy_step_logits"), stepLogits);
            }
        }
    }
}
