package org.qformerlab.blip2.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.checkpoint.CheckpointException;
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
 * {@code vision_model.post_layernorm}, OPT's tied {@code lm_head}) and reproduce LAVIS: the
 * projected queries and the greedy tokens (from the image features when the fixture has the whole
 * Q-Former, else from its query outputs). The fixtures hold image features, not an image encoder,
 * so the vision blocks are allowed to be missing here.
 */
class Blip2HuggingFaceParityTest {

    private static final Pattern ATTENTION_OUTPUTS =
            Pattern.compile("^Qformer\\.bert\\.encoder\\.layer\\.\\d+\\.(attention|crossattention)\\.output\\..*");

    @Test
    void everyStage2FixtureLoadsUnderHuggingFaceNamesAndDecodesAsLavis() {
        assertFalse(Fixtures.stage2().isEmpty(), "no stage-2 fixtures under " + Fixtures.root());
        for (Path dir : Fixtures.stage2()) {
            JsonNode json = Fixtures.config(dir);
            JsonNode opt = json.get("opt");
            int promptLength = opt.get("prompt_len").asInt();
            int steps = opt.get("generate_steps").asInt();
            int width = json.get("vision_width").asInt();
            try (NDManager m = NDManager.newBaseManager(); GradMode ignored = GradMode.off()) {
                VisionConfig vision = new VisionConfig(16, 8, 3, width, 1, 4, 2 * width, 1e-6, 1);
                Blip2ConditionalGeneration model = Blip2ConditionalGeneration.create(
                        new Blip2Config(vision, Fixtures.qformerConfig(json), Fixtures.optConfig(json), null), m);
                Weights.Policy policy = model.checkpointPolicy().allowMissing(
                        n -> n.startsWith("vision_model.") && !n.startsWith("vision_model.post_layernorm."));
                Path file = dir.resolve("model.hf.safetensors");
                boolean complete = true;
                try {
                    Weights.check(model, Safetensors.read(m, file).entrySet().stream().collect(
                            Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getShape())),
                            model.huggingFaceNames(), policy);
                } catch (CheckpointException e) {
                    // the shipped lavis-opt-small lacks the Q-Former's attention outputs (a known fixture
                    // defect, see Stage2ParityTest): then only the language side can be compared
                    complete = false;
                    policy = policy.allowMissing(ATTENTION_OUTPUTS.asPredicate());
                }
                Weights.Report report = Weights.loadReporting(model, file, model.huggingFaceNames(), policy);
                Map<String, Parameter> params = model.namedParameters();
                assertArrayEquals(params.get("ln_vision.weight").getArray().toFloatArray(),
                        params.get("vision_model.post_layernorm.weight").getArray().toFloatArray(), 0f,
                        "Hugging Face's post_layernorm is LAVIS's ln_vision");

                Map<String, NDArray> inputs = Safetensors.read(m, dir.resolve("inputs.safetensors"));
                Map<String, NDArray> expected = Safetensors.read(m, dir.resolve("expected.safetensors"));
                NDArray softPrompt;
                if (complete) {
                    NDArray image = inputs.get("image_embeds").toType(DataType.FLOAT32, false);
                    softPrompt = model.bridge().forward(m, image, false).embeds();
                } else {
                    softPrompt = model.bridge().projection().forward(expected.get("query_output")
                            .toType(DataType.FLOAT32, false));
                }
                Fixtures.assertClose(dir.getFileName() + " inputs_opt", expected.get("inputs_opt"), softPrompt);

                NDArray prompt = inputs.get("opt_ids").get(new NDIndex(":, :{}", promptLength));
                Generation g = model.llm().generate(m, softPrompt, prompt,
                        GenerationConfig.greedy(steps, -1, opt.get("pad_id").asInt()));
                long[] want = expected.get("greedy_tokens").toType(DataType.INT64, false).toLongArray();
                long[] got = new long[want.length];
                for (int r = 0; r < g.tokens().length; r++) {
                    System.arraycopy(g.tokens()[r], 0, got, r * steps, steps);
                }
                assertArrayEquals(want, got, dir.getFileName() + " greedy tokens");
            }
        }
    }
}
