package org.qformerlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.vision.AttributePretrainConfig;
import org.qformerlab.blip2.vision.ShippedEncoder;
import org.qformerlab.blip2.vision.VisionConfig;
import org.qformerlab.blip2.vision.VisionTransformer;

/** {@code qformerlab pretrain vision} at tiny size, and its usage errors. */
class PretrainVerbTest {

    @TempDir
    Path dir;

    @Test
    void pretrainsProbesAndWritesALoadableEncoder() throws Exception {
        Path out = dir.resolve("encoder");
        CommandLineRun run = CommandLineRun.of("pretrain", "vision", "--preset", "tiny", "--steps", "4", "--out", out.toString());
        assertEquals(0, run.code(), run.err() + run.out());
        assertTrue(run.out().contains("vision pretraining step 4/4"), run.out());
        assertTrue(run.out().contains("encoder probe (linear, fitted on train, scored on test)")
                && run.out().contains("object_shape"), run.out());
        JsonNode record = Configs.JSON.readTree(out.resolve("config.json").toFile());
        VisionConfig vision = VisionConfig.tiny().withFeatureLayer(-1);
        assertEquals(Configs.toJson(ShippedEncoder.key(vision, AttributePretrainConfig.tiny().withSteps(4))),
                Configs.toJson(record.get("key")));
        assertEquals("qformerlab pretrain vision --preset tiny --steps 4 (PyTorch threads: default)".replace("default",
                System.getProperty("ai.djl.pytorch.num_threads", "default")), record.get("made").asText());
        assertEquals(AttributePretrainConfig.tiny().poolSize(), record.get("poolScenes").asInt());
        assertTrue(record.at("/probe/accuracy/object_colour").isNumber(), record.toString());
        assertTrue(record.at("/probe/pixel_patches/object_colour").isNumber(), record.toString());
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer encoder = VisionTransformer.load(vision, out.resolve("model.safetensors"), m);
            assertEquals(vision, encoder.config());
        }
    }

    @Test
    void saysWhatToPretrainAndRefusesATinyRunOverTheShippedFiles() {
        CommandLineRun none = CommandLineRun.of("pretrain");
        assertEquals(2, none.code());
        assertTrue(none.err().contains("`pretrain vision`"), none.err());
        CommandLineRun tiny = CommandLineRun.of("pretrain", "vision", "--preset", "tiny");
        assertEquals(2, tiny.code());
        assertTrue(tiny.err().contains("--preset tiny needs --out DIR"), tiny.err());
        CommandLineRun steps = CommandLineRun.of("pretrain", "vision", "--steps", "0", "--out", dir.toString());
        assertEquals(2, steps.code());
        assertTrue(steps.err().contains("--steps must be at least 1"), steps.err());
        assertTrue(Main.verbNames().contains("pretrain"));
    }
}
