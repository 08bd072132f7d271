package org.qformerlab.blip2.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.qformerlab.blip2.config.QFormerConfig;

/** Finds the reference fixtures (system property {@code fixtures.dir}) and compares tensors with them. */
public final class Fixtures {

    /** Relative error tolerated against the float64 reference: max|a-b| / max|b|. */
    public static final double TOLERANCE = 1e-4;

    private Fixtures() {}

    public static Path root() {
        String prop = System.getProperty("fixtures.dir");
        Path dir = prop != null ? Path.of(prop) : repoRoot().resolve("../shared/fixtures");
        if (!Files.isDirectory(dir)) {
            fail("fixtures directory " + dir.toAbsolutePath().normalize()
                    + " not found: run from the repository (../shared/fixtures) or pass -Dfixtures.dir=...");
        }
        return dir;
    }

    static Path repoRoot() {
        String prop = System.getProperty("repo.root");
        Path p = prop != null ? Path.of(prop) : Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve(".ci"))) {
            p = p.getParent();
        }
        return p == null ? Path.of("").toAbsolutePath() : p;
    }

    /** The three kinds of reference folder, told apart by their config.json (see the fixtures README). */
    public enum Kind {
        /** LAVIS {@code Blip2Qformer}: config.json has neither an {@code opt} nor a {@code t5} object. */
        STAGE1("stage-1", List.of(
                "ln_vision_out", "query_output", "text_output", "image_feats", "text_feat", "sim_i2t", "sim_t2i",
                "itm_output", "itm_logits", "lm_logits", "loss_itc", "loss_itm", "loss_lm", "loss",
                "grad.query_tokens", "grad.temp", "grad.vision_proj.weight", "grad.ln_vision.weight")),
        /** LAVIS {@code Blip2OPT}: config.json has an {@code opt} object. */
        OPT("stage-2 OPT", List.of(
                "query_output", "inputs_opt", "logits", "loss", "grad.query_tokens", "grad.opt_proj.weight",
                "greedy_tokens", "greedy_step_logits")),
        /** LAVIS {@code Blip2T5}: config.json has a {@code t5} object. */
        T5("stage-2 FlanT5", List.of(
                "query_output", "inputs_t5", "encoder_last_hidden_state", "logits", "loss", "grad.query_tokens",
                "grad.t5_proj.weight", "greedy_tokens", "greedy_step_logits"));

        private final String label;
        private final List<String> expectedTensors;

        Kind(String label, List<String> expectedTensors) {
            this.label = label;
            this.expectedTensors = expectedTensors;
        }

        /** The tensors every {@code expected.safetensors} of this kind must hold (the README's table). */
        public List<String> expectedTensors() {
            return expectedTensors;
        }

        /** The kind a fixture's config.json describes. */
        public static Kind of(JsonNode config) {
            boolean opt = config.has("opt");
            boolean t5 = config.has("t5");
            if (opt && t5) {
                throw new IllegalStateException("config.json has both an opt and a t5 object: one fixture is one kind");
            }
            return opt ? OPT : t5 ? T5 : STAGE1;
        }
    }

    /** Stage-1 folders: a config.json with neither an {@code opt} nor a {@code t5} object. */
    public static List<Path> stage1() {
        return folders(Kind.STAGE1);
    }

    /** Stage-2 OPT folders: a config.json with an {@code opt} object. */
    public static List<Path> stage2() {
        return folders(Kind.OPT);
    }

    /** Stage-2 FlanT5 folders: a config.json with a {@code t5} object. */
    public static List<Path> t5() {
        return folders(Kind.T5);
    }

    /**
     * Every folder of one kind. A folder under the fixtures root without a config.json is an error
     * (a half-copied fixture must not silently drop out of the parity tests), and so is finding none.
     */
    public static List<Path> folders(Kind kind) {
        try (Stream<Path> s = Files.list(root())) {
            List<Path> dirs = s.filter(Files::isDirectory).sorted().toList();
            for (Path d : dirs) {
                if (!Files.isRegularFile(d.resolve("config.json"))) {
                    fail("fixture folder " + d + " has no config.json: every folder under " + root()
                            + " must be a complete fixture (see its README)");
                }
            }
            List<Path> out = dirs.stream().filter(d -> Kind.of(config(d)) == kind).toList();
            if (out.isEmpty()) {
                fail("no " + kind.label + " fixture folder under " + root());
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Fails naming every tensor that this kind requires and {@code present} lacks. */
    public static void assertHasExpected(Path dir, Kind kind, java.util.Collection<String> present) {
        List<String> missing = kind.expectedTensors().stream().filter(n -> !present.contains(n)).toList();
        assertTrue(missing.isEmpty(), dir.getFileName() + "/expected.safetensors lacks " + missing
                + ": a " + kind.label + " fixture must provide " + kind.expectedTensors());
    }

    public static JsonNode config(Path dir) {
        try {
            return new ObjectMapper().readTree(dir.resolve("config.json").toFile());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + dir.resolve("config.json"), e);
        }
    }

    /** The Q-Former config a fixture describes (dropout off: the reference ran in eval mode). */
    public static QFormerConfig qformerConfig(JsonNode c) {
        return new QFormerConfig(
                c.get("hidden").asInt(),
                c.get("layers").asInt(),
                c.get("heads").asInt(),
                c.get("intermediate").asInt(),
                c.get("queries").asInt(),
                c.get("cross_attention_freq").asInt(),
                c.get("vision_width").asInt(),
                c.get("vocab").asInt(),
                c.get("max_positions").asInt(),
                0.0,
                0.0,
                c.get("layer_norm_eps").asDouble(),
                c.get("embed_dim").asInt(),
                c.path("temp").asDouble(0.07),
                c.get("pad_id").asInt(),
                c.get("cls_id").asInt(),
                c.get("dec_id").asInt());
    }

    /** The OPT config of a stage-2 fixture's {@code opt} object (dropout off: the reference ran in eval mode). */
    public static org.qformerlab.blip2.llm.OptConfig optConfig(JsonNode c) {
        JsonNode o = c.get("opt");
        return new org.qformerlab.blip2.llm.OptConfig(
                o.get("vocab").asInt(),
                o.get("hidden").asInt(),
                o.get("ffn").asInt(),
                o.get("layers").asInt(),
                o.get("heads").asInt(),
                o.get("max_positions").asInt(),
                o.get("pad_id").asInt(),
                o.get("bos_id").asInt(),
                o.get("eos_id").asInt(),
                o.path("layer_norm_eps").asDouble(1e-5),
                0.0,
                o.path("do_layer_norm_before").asBoolean(true));
    }

    /** Asserts same shape (ignoring size-1 axes) and relative error within {@link #TOLERANCE}. */
    public static void assertClose(String what, NDArray expected, NDArray actual) {
        assertClose(what, expected, actual, TOLERANCE);
    }

    public static void assertClose(String what, NDArray expected, NDArray actual, double tolerance) {
        assertTrue(actual != null, what + ": nothing was computed");
        assertArrayEquals(squeeze(expected.getShape().getShape()), squeeze(actual.getShape().getShape()),
                what + ": shape " + actual.getShape() + " vs expected " + expected.getShape());
        float[] e = expected.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        float[] a = actual.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < e.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(e[i] - a[i]));
            maxRef = Math.max(maxRef, Math.abs(e[i]));
        }
        double rel = maxDiff / Math.max(maxRef, 1e-30);
        assertTrue(rel <= tolerance, what + ": relative error " + rel + " > " + tolerance
                + " (max abs diff " + maxDiff + ", max abs ref " + maxRef + ")");
    }

    private static long[] squeeze(long[] shape) {
        return java.util.Arrays.stream(shape).filter(d -> d != 1).toArray();
    }
}
