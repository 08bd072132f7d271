package org.qformerlab.blip2.data;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShapesWorldTest {

    private static ShapesDataset world;
    private static long generationMillis;

    @BeforeAll
    static void generateTheDefaultWorld() {
        long start = System.nanoTime();
        world = ShapesWorld.generate(ShapesWorldConfig.defaults());
        generationMillis = (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void defaultWorldIsQuickToGenerateAndHasTheConfiguredSizes() {
        assertTrue(generationMillis < 5_000, "took " + generationMillis + " ms");
        assertEquals(4000, world.split(Split.TRAIN).size());
        assertEquals(300, world.split(Split.VAL).size());
        assertEquals(300, world.split(Split.TEST).size());
        assertEquals(300, world.split(Split.COMPOSITIONAL).size());
        assertEquals(4900, world.size());
    }

    @Test
    void sameSeedGivesIdenticalSamples() {
        ShapesWorldConfig config = ShapesWorldConfig.defaults(42).withCounts(50, 20, 20, 20);
        ShapesDataset a = ShapesWorld.generate(config);
        ShapesDataset b = ShapesWorld.generate(config);
        assertEquals(a.heldOut(), b.heldOut());
        for (Split split : Split.values()) {
            List<Sample> sa = a.split(split);
            List<Sample> sb = b.split(split);
            assertEquals(sa.size(), sb.size());
            for (int i = 0; i < sa.size(); i++) {
                assertEquals(sa.get(i).id(), sb.get(i).id());
                assertEquals(sa.get(i).scene(), sb.get(i).scene());
                assertEquals(sa.get(i).captions(), sb.get(i).captions());
                assertEquals(sa.get(i).qas(), sb.get(i).qas());
                assertArrayEquals(rgb(sa.get(i).image()), rgb(sb.get(i).image()));
            }
        }
    }

    @Test
    void differentSeedsGiveDifferentWorlds() {
        ShapesDataset a = ShapesWorld.generate(ShapesWorldConfig.defaults(1).withCounts(20, 0, 0, 0));
        ShapesDataset b = ShapesWorld.generate(ShapesWorldConfig.defaults(2).withCounts(20, 0, 0, 0));
        List<Sample> ta = a.split(Split.TRAIN);
        List<Sample> tb = b.split(Split.TRAIN);
        assertNotEquals(ta.stream().map(Sample::captions).toList(), tb.stream().map(Sample::captions).toList());
        int samePixels = 0;
        for (int i = 0; i < ta.size(); i++) {
            samePixels += java.util.Arrays.equals(rgb(ta.get(i).image()), rgb(tb.get(i).image())) ? 1 : 0;
        }
        assertTrue(samePixels < ta.size() / 2, samePixels + " of " + ta.size() + " images identical");
    }

    @Test
    void aSplitDoesNotDependOnTheOtherSplitsSizes() {
        ShapesWorldConfig config = ShapesWorldConfig.defaults(5).withCounts(30, 10, 10, 10);
        List<Sample> val = ShapesWorld.generate(config).split(Split.VAL);
        List<Sample> valAgain = ShapesWorld.generate(config.withCounts(70, 10, 3, 0)).split(Split.VAL);
        assertEquals(val.stream().map(Sample::captions).toList(), valAgain.stream().map(Sample::captions).toList());
    }

    @Test
    void scenesHaveOneToThreeObjectsAndEveryCountOccurs() {
        Map<Integer, Integer> histogram = new java.util.TreeMap<>();
        for (Split split : Split.values()) {
            for (Sample s : world.split(split)) {
                histogram.merge(s.scene().size(), 1, Integer::sum);
            }
        }
        assertEquals(Set.of(1, 2, 3), histogram.keySet(), histogram.toString());
        histogram.values().forEach(n -> assertTrue(n > 1000, histogram.toString()));
    }

    @Test
    void imagesHaveTheConfiguredSize() {
        BufferedImage image = world.split(Split.TEST).get(0).image();
        assertEquals(64, image.getWidth());
        assertEquals(64, image.getHeight());
        assertEquals(32, ShapesWorld.generate(ShapesWorldConfig.defaults().withCounts(1, 0, 0, 0).withImageSize(32))
                .split(Split.TRAIN).get(0).image().getWidth());
    }

    @Test
    void idsAreUniqueAcrossSplitsAndEverySampleHasItsCaptions() {
        Set<Integer> ids = new HashSet<>();
        for (Split split : Split.values()) {
            for (Sample s : world.split(split)) {
                assertTrue(ids.add(s.id()), "duplicate id " + s.id());
                assertEquals(4, s.captions().size());
                assertEquals(4, new HashSet<>(s.captions()).size(), "captions repeat: " + s.captions());
                assertTrue(s.hasScene());
            }
        }
    }

    @Test
    void aboutAFifthOfTheCombinationsAreHeldOutAndEveryAttributeStaysSeen() {
        SortedSet<ColourShape> heldOut = world.heldOut();
        assertEquals(6, heldOut.size(), heldOut.toString());
        List<ColourShape> seen = new ArrayList<>(ColourShape.all());
        seen.removeAll(heldOut);
        Set<Colour> seenColours = EnumSet.noneOf(Colour.class);
        Set<ShapeType> seenShapes = EnumSet.noneOf(ShapeType.class);
        seen.forEach(p -> {
            seenColours.add(p.colour());
            seenShapes.add(p.shape());
        });
        assertEquals(EnumSet.allOf(Colour.class), seenColours);
        assertEquals(EnumSet.allOf(ShapeType.class), seenShapes);
        assertEquals(heldOut, CompositionalHoldout.choose(ShapesWorldConfig.DEFAULT_SEED, 0.2), "seed-determined");
    }

    @Test
    void heldOutCombinationsAppearOnlyInTheCompositionalSplit() {
        SortedSet<ColourShape> heldOut = world.heldOut();
        for (Split split : List.of(Split.TRAIN, Split.VAL, Split.TEST)) {
            for (Sample s : world.split(split)) {
                assertFalse(s.scene().containsAny(heldOut), split + " sample " + s.id() + ": " + s.scene());
            }
        }
        Set<ColourShape> shown = new HashSet<>();
        for (Sample s : world.split(Split.COMPOSITIONAL)) {
            assertTrue(s.scene().containsAny(heldOut), "compositional sample " + s.id() + ": " + s.scene());
            shown.addAll(s.scene().colourShapes());
        }
        assertTrue(shown.containsAll(heldOut), "every held-out combination is tested");
    }

    @Test
    void sceneDescriptionsAreUniqueWithinEachEvaluationSplit() {
        Map<Split, Integer> distinct = new EnumMap<>(Split.class);
        for (Split split : Split.values()) {
            distinct.put(split, (int) world.split(split).stream().map(s -> s.scene().description()).distinct().count());
        }
        assertEquals(300, distinct.get(Split.VAL));
        assertEquals(300, distinct.get(Split.TEST));
        assertEquals(300, distinct.get(Split.COMPOSITIONAL));
        assertTrue(distinct.get(Split.TRAIN) < 4000, "train may repeat scenes; the batch sampler copes with that");
    }

    @Test
    void askingForMoreUniqueScenesThanExistFailsClearly() {
        // one object, 24 seen combinations x 2 sizes x 9 cells = 432 distinct scenes
        ShapesWorldConfig tooMany = new ShapesWorldConfig(3, 64, 0, 500, 0, 0, 4, 1, 0.2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ShapesWorld.generate(tooMany));
        assertTrue(e.getMessage().startsWith("VAL split: found only 432 distinct scenes of the 500 asked for"), e.getMessage());
    }

    @Test
    void manyObjectsAndCaptionsStillWork() {
        ShapesWorldConfig busy = new ShapesWorldConfig(11, 64, 200, 0, 0, 50, ShapesWorldConfig.MAX_CAPTIONS_PER_IMAGE, 9, 0.5);
        ShapesDataset many = ShapesWorld.generate(busy);
        assertEquals(15, many.heldOut().size());
        for (Sample s : many.split(Split.TRAIN)) {
            assertEquals(10, new HashSet<>(s.captions()).size());
            assertTrue(s.scene().size() >= 1 && s.scene().size() <= 9);
        }
    }

    static int[] rgb(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }
}
