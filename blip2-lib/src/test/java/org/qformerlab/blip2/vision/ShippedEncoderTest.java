package org.qformerlab.blip2.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.data.ImagePool;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.experiment.config.ImageEncoderType;

class ShippedEncoderTest {

    @TempDir
    Path cache;

    @Test
    void thePresetsEncoderIsTheShippedOneAndIsFrozen() {
        ExperimentConfig preset = ExperimentConfig.embedded();
        assertEquals(ImageEncoderType.SUPERVISED_VIT, preset.encoder().type());
        assertEquals(VisionConfig.supervised(), preset.encoder().vit());
        var shipped = ShippedEncoder.shippedRecord();
        assertNotNull(shipped, "the repository ships " + ShippedEncoder.RESOURCE + "config.json");
        assertEquals(org.qformerlab.blip2.config.Configs.toJson(
                        ShippedEncoder.key(preset.encoder().vit(), preset.encoder().supervised())),
                org.qformerlab.blip2.config.Configs.toJson(shipped.get("key")),
                "the shipped encoder is the preset's: remake it with ./qformerlab pretrain vision");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (NDManager m = NDManager.newBaseManager()) {
            ShippedEncoder.Entry entry = ShippedEncoder.load(preset.encoder().vit(), preset.encoder().supervised(), cache,
                    m, new PrintStream(log, true));
            assertEquals("shipped", entry.source(), log.toString());
            assertTrue(!log.toString().contains("pretraining"), log.toString());
            for (Parameter p : entry.encoder().namedParameters().values()) {
                assertTrue(!p.requiresGradient(), p.getName() + " would be trained");
            }
            assertEquals(shipped.get("encoder").asText(), EncoderIdentity.of(entry.encoder()));
            // the shipped probe on the default world's test split: every attribute at the gate, far above pixel patches'
            for (String attribute : org.qformerlab.blip2.experiment.evaluation.EncoderProbe.ATTRIBUTES) {
                double a = shipped.at("/probe/accuracy/" + attribute).asDouble();
                double pixels = shipped.at("/probe/pixel_patches/" + attribute).asDouble();
                assertTrue(a > pixels + 0.15, attribute + ": encoder " + a + ", pixel patches " + pixels);
                assertTrue(a >= org.qformerlab.blip2.experiment.evaluation.EncoderProbe.GATE, attribute + " " + a);
            }
            // a second load finds it in the cache
            assertEquals("cache", ShippedEncoder.load(preset.encoder().vit(), preset.encoder().supervised(), cache, m,
                    null).source());
        }
    }

    @Test
    void theShippedEncodersPoolIsDisjointFromTheQuickstartsSplits() {
        ExperimentConfig preset = ExperimentConfig.embedded();
        // the pool is drawn with no description of its own world's evaluation scenes (pool() checks it),
        // and holds none of the preset's images: its 2,800-image evaluation splits exceed that world's
        ImagePool pool = ShippedEncoder.pool(preset.encoder().supervised());
        assertEquals(preset.encoder().supervised().poolSize(), pool.scenes().size());
        pool.requireNoImageOf(ShapesWorld.generate(preset.data()));
        // and the check can fail: a pool holding one of the preset's test images is refused
        var world = ShapesWorld.generate(preset.data());
        var scenes = new java.util.ArrayList<>(pool.scenes().subList(0, 10));
        scenes.add(world.split(org.qformerlab.blip2.data.Split.TEST).get(2000).scene());
        var withTest = new ImagePool(pool.seed(), scenes, pool.excluded());
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> withTest.requireNoImageOf(world));
        assertTrue(e.getMessage().contains("pool scene 10") && e.getMessage().contains("is an image of the world"), e.getMessage());
    }

    @Test
    void aDamagedEncoderIsRemade() throws Exception {
        VisionConfig vision = AttributePretrainingTest.TINY;
        AttributePretrainConfig recipe = AttributePretrainConfig.tiny().withSteps(3);
        Path folder = ShippedEncoder.cacheFolder(cache, vision, recipe);
        try (NDManager m = NDManager.newBaseManager()) {
            ShippedEncoder.Entry made = ShippedEncoder.pretrain(vision, recipe, folder, "test", m, null);
            ShippedEncoder.Entry again = ShippedEncoder.load(vision, recipe, cache, m, null);
            assertEquals("cache", again.source());
            assertEquals(EncoderIdentity.of(made.encoder()), EncoderIdentity.of(again.encoder()));

            // flip bytes inside the weights (the header stays valid): the identity no longer matches
            Path weights = folder.resolve("model.safetensors");
            byte[] bytes = Files.readAllBytes(weights);
            for (int i = bytes.length - 64; i < bytes.length; i++) {
                bytes[i] ^= 0x55;
            }
            Files.write(weights, bytes, StandardOpenOption.TRUNCATE_EXISTING);
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            ShippedEncoder.Entry remade = ShippedEncoder.load(vision, recipe, cache, m, new PrintStream(log, true));
            assertEquals("pretrained", remade.source());
            assertTrue(log.toString().contains("the file is damaged") && log.toString().contains("no shipped image encoder"),
                    log.toString());
            assertEquals(EncoderIdentity.of(made.encoder()), EncoderIdentity.of(remade.encoder()),
                    "pretraining is a function of the recipe");
        }
    }
}
