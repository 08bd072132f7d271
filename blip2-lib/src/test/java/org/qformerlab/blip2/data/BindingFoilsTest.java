package org.qformerlab.blip2.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qformerlab.blip2.data.SceneTest.at;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BindingFoilsTest {

    private static boolean holds(String caption, Scene scene) {
        Optional<Boolean> verdict = CaptionTruth.holds(caption, scene);
        assertTrue(verdict.isPresent(), "'" + caption + "' should be read as a shapes-world caption");
        return verdict.get();
    }

    @Test
    void everyFoilOfATestSetIsFalseOfItsImageAndItsCaptionTrue() {
        List<Sample> test = ShapesWorld.generate(ShapesWorldConfig.defaults().withCounts(0, 0, 600, 0)).split(Split.TEST);
        List<BindingFoils.Foil> foils = BindingFoils.of(test, 7);
        Map<FoilType, Integer> perType = new EnumMap<>(FoilType.class);
        for (BindingFoils.Foil f : foils) {
            Scene scene = test.get(f.imageIndex()).scene();
            assertTrue(holds(f.caption(), scene), f.type() + ": '" + f.caption() + "' of " + scene);
            assertFalse(holds(f.foil(), scene), f.type() + ": '" + f.foil() + "' of " + scene);
            List<String> a = WordTokenizer.tokenize(f.caption()).stream().sorted().toList();
            List<String> b = WordTokenizer.tokenize(f.foil()).stream().sorted().toList();
            assertEquals(f.type().sameWords(), a.equals(b), f.type() + ": '" + f.caption() + "' / '" + f.foil() + "'");
            perType.merge(f.type(), 1, Integer::sum);
        }
        // every image gets a count and a size foil; swaps need two objects (and, for colours, a pair
        // that differs in colour and shape), at most two per image
        assertEquals(600, (int) perType.get(FoilType.COUNT_CHANGE));
        assertEquals(600, (int) perType.get(FoilType.SIZE_CHANGE));
        long multi = test.stream().filter(s -> s.scene().size() > 1).count();
        long three = test.stream().filter(s -> s.scene().size() == 3).count();
        assertEquals((int) (multi + three), (int) perType.get(FoilType.RELATION_SWAP));
        assertTrue(perType.get(FoilType.ATTRIBUTE_SWAP) > 0.8 * (multi + three), perType.toString());
        assertTrue(perType.get(FoilType.ATTRIBUTE_SWAP) <= multi + three, perType.toString());
        assertEquals(foils, BindingFoils.of(test, 7), "equal inputs give equal foils");
        assertNotEquals(foils, BindingFoils.of(test, 8));
    }

    @Test
    void theFoilsOfOneSceneAreTheExpectedRebindings() {
        Scene two = new Scene(List.of(
                at(Position.TOP_LEFT, Size.LARGE, Colour.RED, ShapeType.CIRCLE),
                at(Position.BOTTOM_RIGHT, Size.SMALL, Colour.BLUE, ShapeType.SQUARE)));
        String[] swap = BindingFoils.foils(FoilType.ATTRIBUTE_SWAP, two, new SplittableRandom(1)).get(0);
        assertTrue(List.of("a red circle and a blue square", "a blue square and a red circle").contains(swap[0]), swap[0]);
        assertTrue(List.of("a blue circle and a red square", "a red square and a blue circle").contains(swap[1]), swap[1]);
        String[] relation = BindingFoils.foils(FoilType.RELATION_SWAP, two, new SplittableRandom(1)).get(0);
        assertEquals(relation[0].replace("red circle", "X").replace("blue square", "red circle").replace("X", "blue square"),
                relation[1]);
        String[] count = BindingFoils.foils(FoilType.COUNT_CHANGE, two, new SplittableRandom(1)).get(0);
        assertTrue(List.of("a circle and a square", "a square and a circle").contains(count[0]), count[0]);
        assertTrue(count[1].contains("two circles") || count[1].contains("two squares"), count[1]);
        // one object: no swaps; its count goes from one to two
        Scene one = new Scene(List.of(at(Position.CENTRE, Size.SMALL, Colour.GREEN, ShapeType.TRIANGLE)));
        assertTrue(BindingFoils.foils(FoilType.ATTRIBUTE_SWAP, one, new SplittableRandom(1)).isEmpty());
        assertTrue(BindingFoils.foils(FoilType.RELATION_SWAP, one, new SplittableRandom(1)).isEmpty());
        String[] single = BindingFoils.foils(FoilType.COUNT_CHANGE, one, new SplittableRandom(1)).get(0);
        assertEquals("one triangle", single[0]);
        assertEquals("two triangles", single[1]);
        String[] size = BindingFoils.foils(FoilType.SIZE_CHANGE, one, new SplittableRandom(1)).get(0);
        assertEquals("a small green triangle", size[0]);
        assertEquals("a large green triangle", size[1]);
    }
}
