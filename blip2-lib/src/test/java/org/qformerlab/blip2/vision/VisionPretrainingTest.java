package org.qformerlab.blip2.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.data.ShapesWorldConfig;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.testing.PretrainingRuns;

class VisionPretrainingTest {

    static ShapesDataset tinyWorld() {
        return ShapesWorld.generate(ShapesWorldConfig.defaults(7).withImageSize(32).withCounts(48, 6, 6, 6));
    }

    @Test
    void reconstructionLossFallsOnATinyWorld() {
        ShapesDataset world = tinyWorld();
        PixelBank bank = PixelBank.render(world.split(Split.TRAIN), 32);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (NDManager m = NDManager.newBaseManager()) {
            VisionPretraining.Result r = VisionPretraining.run(
                    VisionConfig.tiny(), VisionPretrainConfig.tiny(), bank, m, new PrintStream(out, true));
            double first = r.firstLoss(5);
            double last = r.lastLoss(10);
            assertTrue(last < 0.5 * first, "reconstruction loss " + first + " -> " + last);
            assertTrue(r.encoder().isFrozen());
            assertTrue(out.toString().contains("vision pretraining step 60/60"), out.toString());
        }
    }

    @Test
    void pretrainingIsAFunctionOfItsSeed() {
        ShapesDataset world = tinyWorld();
        PixelBank bank = PixelBank.render(world.split(Split.TRAIN), 32);
        VisionPretrainConfig few = VisionPretrainConfig.tiny().withSteps(3);
        try (NDManager m = NDManager.newBaseManager()) {
            float[] a = VisionPretraining.run(VisionConfig.tiny(), few, bank, m, null).losses();
            float[] b = VisionPretraining.run(VisionConfig.tiny(), few, bank, m, null).losses();
            assertArrayEquals(a, b);
        }
    }

    private static PretrainingRuns.Pretraining few(int steps) {
        PixelBank bank = PixelBank.render(tinyWorld().split(Split.TRAIN), 32);
        VisionPretrainConfig recipe = VisionPretrainConfig.tiny().withSteps(steps);
        return (run, m) -> VisionPretraining.run(VisionConfig.tiny(), recipe, bank, run, m, null).encoder();
    }

    @Test
    void resumingHalfWayEndsAsOneRun(@TempDir Path dir) {
        PretrainingRuns.resumingHalfWayEndsAsOneRun(dir, 6, "images", few(6));
    }

    @Test
    void aNanLossStopsTheRunNamingTheStep(@TempDir Path dir) {
        PretrainingRuns.aNanLossStopsTheRunNamingTheStep(dir, "total", few(6));
    }

    @Test
    void masksHideTheConfiguredFractionAndRestoreTheOrder() {
        PatchMask mask = PatchMask.random(3, 16, 0.75, new SplittableRandom(1));
        assertEquals(4, mask.kept());
        float hidden = 0;
        for (float f : mask.masked()) {
            hidden += f;
        }
        assertEquals(3 * 12, hidden);
        // restore maps every position to a distinct row of [visible ; mask tokens]
        assertEquals(48, java.util.Arrays.stream(mask.restore()).distinct().count());
        for (int b = 0; b < 3; b++) {
            for (int v = 0; v < 4; v++) {
                long row = mask.keep()[b * 4 + v];
                assertEquals(b * 4 + v, mask.restore()[(int) row]);
                assertEquals(0f, mask.masked()[(int) row]);
            }
        }
        ConfigException bad = assertThrows(ConfigException.class,
                () -> new VisionPretrainConfig(10, 8, 1e-3, 0, 0, 1.0, false, 32, 1, 4, 0, 1));
        assertTrue(bad.getMessage().contains("maskRatio=1.0"), bad.getMessage());
    }
}
