package org.qformerlab.blip2.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImagePoolTest {

    private static ShapesDataset world() {
        return ShapesWorld.generate(ShapesWorldConfig.defaults(11).withCounts(400, 100, 100, 100));
    }

    @Test
    void thePoolAvoidsEveryEvaluationSceneAndEveryTrainingImage() {
        ShapesDataset world = world();
        ImagePool pool = ImagePool.draw(5, 3000, 3, world);
        assertEquals(3000, pool.size());
        Set<String> evaluation = new HashSet<>();
        for (Split split : List.of(Split.VAL, Split.TEST, Split.COMPOSITIONAL)) {
            world.split(split).forEach(s -> evaluation.add(s.scene().description()));
        }
        Set<Scene> training = new HashSet<>();
        world.split(Split.TRAIN).forEach(s -> training.add(s.scene()));
        for (Scene scene : pool.scenes()) {
            assertTrue(!evaluation.contains(scene.description()), scene.description());
            assertTrue(!training.contains(scene), scene.description());
        }
        // the pool has all kinds of objects, the compositional split's held-out ones included
        Set<ColourShape> kinds = new HashSet<>();
        pool.scenes().forEach(s -> kinds.addAll(s.colourShapes()));
        assertEquals(ColourShape.all().size(), kinds.size());
        assertTrue(kinds.containsAll(world.heldOut()));
        // and is a function of its seed
        assertEquals(pool.scenes(), ImagePool.draw(5, 3000, 3, world).scenes());
        assertNotEquals(pool.scenes(), ImagePool.draw(6, 3000, 3, world).scenes());
        assertEquals(pool, pool.requireDisjointFrom(world));
    }

    @Test
    void aPoolThatHoldsAnEvaluationSceneOrATrainingImageIsRefused() {
        ShapesDataset world = world();
        Scene test = world.split(Split.TEST).get(3).scene();
        // the same description with the objects shifted inside their cells still counts
        List<SceneObject> shifted = test.objects().stream().map(o -> new SceneObject(o.shape(), o.colour(), o.size(),
                o.position().minX() + 1.0 / 6, o.position().minY() + 1.0 / 6)).toList();
        ImagePool withTest = new ImagePool(1, List.of(new Scene(shifted)), world.config());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> withTest.requireDisjointFrom(world));
        assertTrue(e.getMessage().contains("pool scene 0") && e.getMessage().contains("validation, test or compositional"),
                e.getMessage());

        Scene train = world.split(Split.TRAIN).get(0).scene();
        ImagePool withTrain = new ImagePool(1, List.of(train), world.config());
        e = assertThrows(IllegalStateException.class, () -> withTrain.requireDisjointFrom(world));
        assertTrue(e.getMessage().contains("is a training image"), e.getMessage());
    }
}
