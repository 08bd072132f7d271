package org.qformerlab.blip2.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.data.ImagePool;
import org.qformerlab.blip2.data.Scene;
import org.qformerlab.blip2.data.SceneObject;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.data.Colour;
import org.qformerlab.blip2.data.ShapeType;
import org.qformerlab.blip2.data.Size;
import org.qformerlab.blip2.testing.PretrainingRuns;

class AttributePretrainingTest {

    /** The tiny encoder, its features read after its last block's norm as the shipped one's are. */
    static final VisionConfig TINY = VisionConfig.tiny().withFeatureLayer(-1);

    @Test
    void labelsSpellOutEachCellAndTheScene() {
        Scene scene = new Scene(List.of(
                new SceneObject(ShapeType.CIRCLE, Colour.BLUE, Size.LARGE, 0.5, 0.5),            // centre
                new SceneObject(ShapeType.CROSS, Colour.RED, Size.SMALL, 0.15, 0.85)));         // bottom left
        try (NDManager m = NDManager.newBaseManager()) {
            SceneLabels l = SceneLabels.of(List.of(scene), 3, 3, m);
            assertArrayEquals(new long[] {1}, l.count().toLongArray());
            // empty = 0, else colour + 1; cells in Position order (centre = 4, bottom left = 6)
            assertArrayEquals(new long[] {0, 0, 0, 0, Colour.BLUE.ordinal() + 1, 0, Colour.RED.ordinal() + 1, 0, 0},
                    l.cellColour().toLongArray());
            assertEquals(ShapeType.CROSS.ordinal(), l.cellShape().toLongArray()[6]);
            assertEquals(Size.SMALL.ordinal(), l.cellSize().toLongArray()[6]);
            assertArrayEquals(new float[] {0, 0, 0, 0, 1, 0, 1, 0, 0}, l.occupied().toFloatArray());
            // a 3x3 patch grid: each patch is one cell; shape + 1 where an object lies, else 0
            assertArrayEquals(new long[] {0, 0, 0, 0, ShapeType.CIRCLE.ordinal() + 1, 0, ShapeType.CROSS.ordinal() + 1, 0, 0},
                    l.patchShape().toLongArray());
            // on a 6x6 grid the large circle ([0.37, 0.63] square) overlaps the four central patches
            long[] fine = SceneLabels.of(List.of(scene), 3, 6, m).patchShape().toLongArray();
            for (int p : new int[] {14, 15, 20, 21}) {
                assertEquals(ShapeType.CIRCLE.ordinal() + 1, fine[p], "patch " + p);
            }
            assertEquals(0, fine[0]);
            float[] present = l.present().toFloatArray();
            assertEquals(22, present.length);
            float sum = 0;
            for (float p : present) {
                sum += p;
            }
            assertEquals(8, sum); // 2 colours + 2 shapes + 2 sizes + 2 cells
            assertEquals(1, present[Colour.RED.ordinal()]);
            assertEquals(1, present[6 + ShapeType.CROSS.ordinal()]);
        }
    }

    @Test
    void binaryCrossEntropyIsTheTextbookFormula() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(new float[] {2f, -1f, 30f, -30f});
            NDArray targets = m.create(new float[] {1f, 0f, 1f, 1f});
            double expected = (-Math.log(sigmoid(2)) - Math.log(1 - sigmoid(-1)) - Math.log(sigmoid(30)) + 30) / 4;
            assertEquals(expected, AttributeHeads.binaryCrossEntropy(logits, targets).getFloat(), 1e-5);
        }
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @Test
    void cellsAverageTheirOwnPatches() {
        // an 8x8 patch grid: rows/columns 0-2 -> 0, 3-5 -> 1, 6-7 -> 2
        assertEquals(0, GridCells.cellOf(0, 8));
        assertEquals(1, GridCells.cellOf(3, 8));
        assertEquals(2, GridCells.cellOf(7, 8));
        assertEquals(3, GridCells.cellOf(3 * 8, 8));
        assertEquals(8, GridCells.cellOf(63, 8));
        try (NDManager m = NDManager.newBaseManager()) {
            float[] a = GridCells.averaging(m, 8).toFloatArray();
            assertEquals(1f / 9, a[0], 1e-7);        // cell 0 has 3x3 patches
            assertEquals(1f / 4, a[8 * 64 + 63], 1e-7); // cell 8 has 2x2
            assertEquals(0f, a[63], 0f);
        }
    }

    @Test
    void pretrainingTeachesTheFeaturesWhatAnUntrainedEncoderDoesNotCarry() {
        AttributePretrainConfig recipe = AttributePretrainConfig.tiny();
        ShapesDataset world = ShapesWorld.generate(recipe.disjointFrom());
        ImagePool pool = ImagePool.draw(recipe.poolSeed(), recipe.poolSize(), 3, world).requireDisjointFrom(world);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (NDManager m = NDManager.newBaseManager()) {
            AttributePretraining.Result r = AttributePretraining.run(TINY, recipe, pool, m, new PrintStream(out, true));
            assertTrue(r.lastLoss(10) < 0.8 * r.firstLoss(5), r.firstLoss(5) + " -> " + r.lastLoss(10));
            assertTrue(r.encoder().isFrozen());
            assertEquals(List.of("present", "count", "cell_colour", "cell_shape", "cell_size", "patch_shape"),
                    List.copyOf(r.lastTerms().keySet()));
            assertTrue(out.toString().contains("vision pretraining step " + recipe.steps() + "/" + recipe.steps()),
                    out.toString());

            VisionTransformer untrained = VisionTransformer.create(TINY, m).freeze();
            Map<String, Double> before = probe(untrained, world, m);
            Map<String, Double> after = probe(r.encoder(), world, m);
            for (String attribute : List.of("object_colour", "positions", "count")) {
                assertTrue(after.get(attribute) > before.get(attribute) + 0.1,
                        attribute + ": untrained " + before + ", pretrained " + after);
            }
        }
    }

    /** The tiny recipe for a few steps on a small pool (drawn as the shipped encoder's is). */
    private static PretrainingRuns.Pretraining few(int steps) {
        AttributePretrainConfig recipe = AttributePretrainConfig.tiny().withSteps(steps).withPool(256, 5);
        ImagePool pool = ShippedEncoder.pool(recipe);
        return (run, m) -> AttributePretraining.run(TINY, recipe, pool, run, m, null).encoder();
    }

    @Test
    void resumingHalfWayEndsAsOneRun(@TempDir Path dir) {
        PretrainingRuns.resumingHalfWayEndsAsOneRun(dir, 6, "pretraining", few(6));
    }

    @Test
    void aNanLossStopsTheRunNamingTheStep(@TempDir Path dir) {
        PretrainingRuns.aNanLossStopsTheRunNamingTheStep(dir, "present", few(6));
    }

    private static Map<String, Double> probe(VisionTransformer encoder, ShapesDataset world, NDManager m) {
        EncoderImageFeatures features = new EncoderImageFeatures(encoder, EmbeddedVision.allSamples(world));
        return FeatureProbe.run(features, world.split(Split.TRAIN), world.split(Split.TEST), 3, m).accuracy();
    }
}
