package org.qformerlab.blip2.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qformerlab.blip2.testing.Fixtures.assertClose;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.checkpoint.CheckpointException;
import org.qformerlab.blip2.checkpoint.NameMap;
import org.qformerlab.blip2.checkpoint.Safetensors;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.llm.OptConfig;
import org.qformerlab.blip2.testing.Fixtures;

/** The Q-Former bridge: stage-1 weights carry over, names, freezing, gradients, clear errors. */
class QFormerBridgeTest {

    /**
     * BLIP-2 starts stage 2 from the stage-1 Q-Former: loading a stage-1 checkpoint into the
     * stage-2 model (the projection and the LLM come from elsewhere) gives the bridge exactly the
     * stage-1 reference's query output.
     */
    @Test
    void stage1CheckpointCarriesOverAndTheQueryPassMatchesTheReference() {
        for (Path dir : Fixtures.stage1()) {
            JsonNode json = Fixtures.config(dir);
            try (NDManager m = NDManager.newBaseManager()) {
                Stage2Model model = Stage2Model.create(Fixtures.qformerConfig(json), OptConfig.tiny(), m);
                Weights.Report report = Weights.loadReporting(model, dir.resolve("model.safetensors"), NameMap.LAVIS,
                        Weights.Policy.strict().absentOnPurpose("the projection and the LLM are not part of stage 1",
                                n -> n.startsWith("opt_proj.") || n.startsWith("opt_model.")));
                assertTrue(report.loaded().contains("query_tokens"));
                assertTrue(report.absentOnPurpose().values().iterator().next().contains("opt_proj.weight"), report.toString());
                Map<String, NDArray> in = Safetensors.read(m, dir.resolve("inputs.safetensors"));
                Map<String, NDArray> expected = Safetensors.read(m, dir.resolve("expected.safetensors"));
                Bridge.VisualPrompt prompt = model.bridge().forward(m, in.get("image_embeds"), false);
                assertClose(dir.getFileName() + "/query_output", expected.get("query_output"), prompt.hidden());
                assertEquals(new Shape(in.get("image_embeds").getShape().get(0), model.bridge().promptLength(),
                        OptConfig.tiny().hiddenSize()), prompt.embeds().getShape());
            }
        }
    }

    @Test
    void namesAreLavisNamesAndOnlyTheQueryPathTrains() {
        try (NDManager m = NDManager.newBaseManager()) {
            Stage2Model model = Stage2Model.create(QFormerConfig.tiny(), OptConfig.tiny(), m);
            var params = model.namedParameters();
            for (String n : List.of("query_tokens", "ln_vision.weight", "Qformer.bert.embeddings.LayerNorm.weight",
                    "opt_proj.weight", "opt_model.model.decoder.embed_positions.weight",
                    "opt_model.model.decoder.layers.1.self_attn.q_proj.weight")) {
                assertTrue(params.containsKey(n), n + " missing from " + params.keySet());
            }
            assertEquals(OptConfig.tiny().maxPositions() + 2,
                    params.get("opt_model.model.decoder.embed_positions.weight").getShape().get(0));
            // one backward pass: gradients reach the queries through the frozen LLM, nothing unused trains
            NDArray image = m.randomNormal(new Shape(2, 5, QFormerConfig.tiny().visionWidth()));
            NDArray ids = m.create(new long[] {2, 7, 8, 9, 2, 5, 6, 1}, new Shape(2, 4));
            NDArray mask = m.create(new long[] {1, 1, 1, 1, 1, 1, 1, 0}, new Shape(2, 4));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(model.forward(m, image, ids, mask, 1, true).loss());
            }
            float queryGrad = params.get("query_tokens").getArray().getGradient().abs().sum().getFloat();
            assertTrue(queryGrad > 0, "the loss must reach query_tokens through the frozen OPT");
            params.forEach((name, p) -> {
                boolean unused = model.bridge().unusedParameters().test(name);
                if (name.startsWith("opt_model.") || unused) {
                    assertFalse(p.requiresGradient(), name + " must not train in stage 2");
                } else {
                    assertTrue(p.requiresGradient(), name + " must train in stage 2");
                }
            });
            assertTrue(model.bridge().unusedParameters().test("Qformer.bert.encoder.layer.0.output.dense.weight"));
            assertFalse(model.bridge().unusedParameters().test("Qformer.bert.encoder.layer.0.output_query.dense.weight"));
            assertFalse(model.bridge().unusedParameters().test("Qformer.bert.encoder.layer.0.attention.output.dense.weight"));
        }
    }

    @Test
    void aStage2CheckpointMissingAQueryPartIsStillAnError(@org.junit.jupiter.api.io.TempDir Path tmp) {
        try (NDManager m = NDManager.newBaseManager()) {
            Stage2Model model = Stage2Model.create(QFormerConfig.tiny(), OptConfig.tiny(), m);
            Map<String, NDArray> tensors = new java.util.LinkedHashMap<>(Weights.tensors(model, NameMap.LAVIS));
            tensors.keySet().removeIf(n -> model.bridge().unusedParameters().test(n));
            Path ok = tmp.resolve("ok.safetensors");
            Safetensors.write(ok, tensors);
            Weights.Report report = Weights.loadReporting(model, ok, NameMap.LAVIS, model.checkpointPolicy());
            assertTrue(report.toString().contains("absent on purpose"), report.toString());
            assertTrue(report.toString().contains("Qformer.bert.embeddings.word_embeddings.weight"), report.toString());

            tensors.remove("Qformer.bert.encoder.layer.0.attention.output.dense.weight");
            tensors.put("opt_model.model.decoder.project_in.weight", m.zeros(new Shape(2, 2)));
            Path bad = tmp.resolve("bad.safetensors");
            Safetensors.write(bad, tensors);
            var e = assertThrows(CheckpointException.class,
                    () -> Weights.load(model, bad, NameMap.LAVIS, model.checkpointPolicy()));
            assertTrue(e.getMessage().contains("missing tensors (1): [Qformer.bert.encoder.layer.0.attention.output.dense.weight]"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("unexpected tensors (1): [opt_model.model.decoder.project_in.weight]"),
                    e.getMessage());
        }
    }

    @Test
    void mismatchedWidthsAndShortTextAreExplained() {
        try (NDManager m = NDManager.newBaseManager()) {
            var e = assertThrows(IllegalArgumentException.class, () -> new Stage2Model(
                    new QFormerBridge(QFormerConfig.tiny(), 16, QFormerBridge.OPT_PROJ),
                    new org.qformerlab.blip2.llm.OptModel(OptConfig.tiny())));
            assertTrue(e.getMessage().contains("llmWidth=32"), e.getMessage());
            Stage2Model model = Stage2Model.create(QFormerConfig.tiny(), OptConfig.tiny(), m);
            NDArray image = m.randomNormal(new Shape(1, 5, QFormerConfig.tiny().visionWidth()));
            NDArray ids = m.create(new long[] {2, 7}, new Shape(1, 2));
            var p = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(m, image, ids, m.ones(new Shape(1, 2), DataType.INT64), 2, false));
            assertTrue(p.getMessage().contains("promptLength=2"), p.getMessage());
            NDArray longIds = m.ones(new Shape(1, OptConfig.tiny().maxPositions()), DataType.INT64);
            var l = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(m, image, longIds, longIds, 1, false));
            assertTrue(l.getMessage().contains("maxPositions=" + OptConfig.tiny().maxPositions()), l.getMessage());
        }
    }
}
