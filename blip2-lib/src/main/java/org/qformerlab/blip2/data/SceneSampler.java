package org.qformerlab.blip2.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws random scenes: 1 to {@code maxObjects} objects in distinct grid cells, each with a
 * (colour, shape) combination drawn without replacement, a random size, and a small random jitter
 * of its centre that keeps it inside its cell.
 */
final class SceneSampler {

    /** Gap kept between an object and its cell's border, as a fraction of the image side. */
    private static final double MARGIN = 0.01;

    private final int maxObjects;

    SceneSampler(int maxObjects) {
        if (maxObjects < 1 || maxObjects > Position.values().length) {
            throw new IllegalArgumentException("maxObjects must be in 1.." + Position.values().length);
        }
        this.maxObjects = maxObjects;
    }

    /**
     * A scene whose first object's combination comes from {@code firstPool} and the others' from
     * {@code restPool} (objects are placed in random cells, so "first" has no visible meaning).
     */
    Scene sample(SplittableRandom rng, List<ColourShape> firstPool, List<ColourShape> restPool) {
        int n = 1 + rng.nextInt(maxObjects);
        List<Position> cells = Randoms.shuffled(List.of(Position.values()), rng).subList(0, n);
        List<ColourShape> used = new ArrayList<>();
        used.add(Randoms.pick(firstPool, rng));
        List<ColourShape> rest = new ArrayList<>(restPool);
        rest.removeAll(used);
        rest = Randoms.shuffled(rest, rng);
        if (rest.size() < n - 1) {
            throw new IllegalStateException("not enough colour-shape combinations for " + n + " objects");
        }
        used.addAll(rest.subList(0, n - 1));
        List<SceneObject> objects = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            objects.add(place(used.get(i), cells.get(i), rng));
        }
        return new Scene(objects);
    }

    private static SceneObject place(ColourShape kind, Position cell, SplittableRandom rng) {
        Size size = rng.nextBoolean() ? Size.LARGE : Size.SMALL;
        double half = 0.5 / Position.GRID;
        double slack = half - size.radius() - MARGIN;
        double x = cell.minX() + half + (2 * rng.nextDouble() - 1) * slack;
        double y = cell.minY() + half + (2 * rng.nextDouble() - 1) * slack;
        return new SceneObject(kind.shape(), kind.colour(), size, x, y);
    }
}
