package org.qformerlab.blip2.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.qformer.Blip2QFormer;

/** Saving and loading under LAVIS and Hugging Face names; every failure names what is wrong. */
class WeightsTest {

    @TempDir
    Path dir;

    private static void assertSameWeights(Blip2QFormer a, Blip2QFormer b) {
        Map<String, Parameter> pa = a.namedParameters();
        Map<String, Parameter> pb = b.namedParameters();
        assertEquals(pa.keySet(), pb.keySet());
        for (String n : pa.keySet()) {
            assertArrayEquals(pa.get(n).getArray().toFloatArray(), pb.get(n).getArray().toFloatArray(), n);
        }
    }

    @Test
    void lavisRoundTripIsExact() {
        try (NDManager m = NDManager.newBaseManager()) {
            Seeds.set(1);
            Blip2QFormer a = Blip2QFormer.create(QFormerConfig.tiny(), m);
            Seeds.set(2);
            Blip2QFormer b = Blip2QFormer.create(QFormerConfig.tiny(), m);
            Path f = dir.resolve("lavis.safetensors");
            Weights.save(a, f, NameMap.LAVIS);
            Map<String, NDArray> file = Safetensors.read(m, f);
            assertTrue(file.containsKey("Qformer.bert.encoder.layer.0.attention.self.query.weight"));
            assertTrue(file.containsKey("Qformer.cls.predictions.decoder.weight"), "tied decoder written as LAVIS does");
            Weights.load(b, f, NameMap.LAVIS, Weights.Policy.strict());
            assertSameWeights(a, b);
        }
    }

    @Test
    void huggingFaceNamesFollowTheConversionRules() {
        NameMap hf = NameMap.HUGGING_FACE;
        assertEquals("qformer.encoder.layer.3.attention.attention.query.weight",
                hf.external("Qformer.bert.encoder.layer.3.attention.self.query.weight"));
        assertEquals("qformer.encoder.layer.0.crossattention.attention.key.bias",
                hf.external("Qformer.bert.encoder.layer.0.crossattention.self.key.bias"));
        assertEquals("qformer.encoder.layer.0.attention.output.dense.weight",
                hf.external("Qformer.bert.encoder.layer.0.attention.output.dense.weight"));
        assertEquals("qformer.layernorm.weight", hf.external("Qformer.bert.embeddings.LayerNorm.weight"));
        assertEquals("vision_model.post_layernorm.bias", hf.external("ln_vision.bias"));
        assertEquals("language_projection.weight", hf.external("opt_proj.weight"));
        assertEquals("language_model.model.decoder.layers.0.fc1.weight",
                hf.external("opt_model.model.decoder.layers.0.fc1.weight"));
        assertEquals("query_tokens", hf.external("query_tokens"));
    }

    @Test
    void huggingFaceRoundTripIsExact() {
        try (NDManager m = NDManager.newBaseManager()) {
            Seeds.set(1);
            Blip2QFormer a = Blip2QFormer.create(QFormerConfig.tiny(), m);
            Seeds.set(2);
            Blip2QFormer b = Blip2QFormer.create(QFormerConfig.tiny(), m);
            Path f = dir.resolve("hf.safetensors");
            Weights.save(a, f, NameMap.HUGGING_FACE);
            assertTrue(Safetensors.read(m, f).containsKey("qformer.encoder.layer.1.output_query.LayerNorm.weight"));
            Weights.load(b, f, NameMap.HUGGING_FACE, Weights.Policy.strict());
            assertSameWeights(a, b);
        }
    }

    @Test
    void missingTensorIsNamed() {
        try (NDManager m = NDManager.newBaseManager()) {
            Blip2QFormer a = Blip2QFormer.create(QFormerConfig.tiny(), m);
            Map<String, NDArray> t = new LinkedHashMap<>(Weights.tensors(a, NameMap.LAVIS));
            t.remove("vision_proj.weight");
            Path f = dir.resolve("partial.safetensors");
            Safetensors.write(f, t);
            var e = assertThrows(CheckpointException.class,
                    () -> Weights.load(a, f, NameMap.LAVIS, Weights.Policy.strict()));
            assertTrue(e.getMessage().contains("missing tensors (1): [vision_proj.weight]"), e.getMessage());
            assertTrue(e.getMessage().contains("partial.safetensors"), e.getMessage());
        }
    }

    @Test
    void shapeMismatchShowsBothShapesAndUnexpectedNamesAreListed() {
        try (NDManager m = NDManager.newBaseManager()) {
            Blip2QFormer small = Blip2QFormer.create(QFormerConfig.tiny(), m);
            Blip2QFormer more = Blip2QFormer.create(QFormerConfig.tiny().withNumQueries(6), m);
            Map<String, NDArray> t = new LinkedHashMap<>(Weights.tensors(more, NameMap.LAVIS));
            t.put("something.else", m.zeros(new ai.djl.ndarray.types.Shape(2)));
            var e = assertThrows(CheckpointException.class, () -> Weights.load(small, t, NameMap.LAVIS, Weights.Policy.strict()));
            assertTrue(e.getMessage().contains("query_tokens: file (1, 6, 32) vs model (1, 4, 32)"), e.getMessage());
            assertTrue(e.getMessage().contains("unexpected tensors (1): [something.else]"), e.getMessage());
        }
    }

    @Test
    void truncatedFileIsReportedNotCrashed() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Blip2QFormer a = Blip2QFormer.create(QFormerConfig.tiny(), m);
            Path f = dir.resolve("cut.safetensors");
            Weights.save(a, f, NameMap.LAVIS);
            byte[] bytes = Files.readAllBytes(f);
            Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length / 2));
            var e = assertThrows(CheckpointException.class, () -> Safetensors.read(m, f));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            Files.writeString(f, "not a checkpoint");
            assertThrows(CheckpointException.class, () -> Safetensors.read(m, f));
            var missing = assertThrows(CheckpointException.class, () -> Safetensors.read(m, dir.resolve("none.safetensors")));
            assertTrue(missing.getMessage().contains("not found"));
        }
    }

    @Test
    void aFailedSaveLeavesThePreviousFileIntact() throws IOException {
        Path f = dir.resolve("weights.safetensors");
        Files.writeString(f, "previous");
        var e = assertThrows(java.io.UncheckedIOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[1000]);
            throw new IOException("disk full");
        }));
        assertTrue(e.getMessage().contains("disk full") && e.getMessage().contains("intact"), e.getMessage());
        assertEquals("previous", Files.readString(f));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file may be left behind");
        }
    }
}
