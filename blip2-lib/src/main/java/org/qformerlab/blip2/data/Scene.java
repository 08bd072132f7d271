package org.qformerlab.blip2.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The ground truth behind one synthetic image: its objects, kept in a canonical order (by grid cell,
 * top-left first), and a canonical {@link #description()} that names every object's attributes and
 * position. Two samples with the same description show the same scene (up to a small jitter inside
 * the cells), which is how retrieval defines a hit.
 *
 * <p>Two world rules are enforced here: objects sit in distinct grid cells (so they never overlap)
 * and no (colour, shape) combination appears twice (so "the red circle" always names one object).
 */
public record Scene(List<SceneObject> objects) {

    private static final Comparator<SceneObject> CANONICAL =
            Comparator.comparing(SceneObject::position).thenComparing(SceneObject::colourShape);

    public Scene {
        if (objects == null || objects.isEmpty()) {
            throw new IllegalArgumentException("a scene needs at least one object");
        }
        Set<Position> cells = new HashSet<>();
        Set<ColourShape> kinds = new HashSet<>();
        for (SceneObject o : objects) {
            if (!cells.add(o.position())) {
                throw new IllegalArgumentException("two objects share the grid cell " + o.position().word());
            }
            if (!kinds.add(o.colourShape())) {
                throw new IllegalArgumentException("the combination '" + o.colourShape() + "' appears twice");
            }
        }
        List<SceneObject> sorted = new ArrayList<>(objects);
        sorted.sort(CANONICAL);
        objects = List.copyOf(sorted);
    }

    /** Canonical text: the objects' descriptions in grid order, joined by {@code "; "}. */
    public String description() {
        return objects.stream().map(SceneObject::description).collect(Collectors.joining("; "));
    }

    /** Number of objects. */
    public int size() {
        return objects.size();
    }

    /** Number of objects of the given shape. */
    public int count(ShapeType shape) {
        return (int) objects.stream().filter(o -> o.shape() == shape).count();
    }

    /** Number of objects of the given colour. */
    public int count(Colour colour) {
        return (int) objects.stream().filter(o -> o.colour() == colour).count();
    }

    /** Number of objects of the given shape and size. */
    public int count(Size size, ShapeType shape) {
        return (int) objects.stream().filter(o -> o.size() == size && o.shape() == shape).count();
    }

    /** The (colour, shape) combinations present in the scene. */
    public Set<ColourShape> colourShapes() {
        return objects.stream().map(SceneObject::colourShape).collect(Collectors.toUnmodifiableSet());
    }

    /** Whether any object has one of the given combinations. */
    public boolean containsAny(Collection<ColourShape> combinations) {
        return objects.stream().anyMatch(o -> combinations.contains(o.colourShape()));
    }

    @Override
    public String toString() {
        return description();
    }
}
