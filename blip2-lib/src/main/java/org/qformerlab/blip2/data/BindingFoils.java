package org.qformerlab.blip2.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.qformerlab.blip2.data.Phrases.Detail;

/**
 * A binding benchmark made from the scene graph, in the spirit of ARO and Winoground: for each image
 * a caption true of its scene against a foil that is false of it, written from the same template
 * with one thing rebound ({@link FoilType}):
 *
 * <ul>
 *   <li>attribute swap: two objects of different colour and shape trade colours in the list of every
 *       object; the scene holds each (colour, shape) once, so the swapped pair names objects it lacks;
 *   <li>relation swap: the arguments of a relation that holds trade places; grid relations are
 *       strict (left of excludes right of), so the swapped one is false;
 *   <li>count change: one shape's count in the tally of every shape goes one up or down (within
 *       1..3, so that no number word is new to a tokenizer built from training captions);
 *   <li>size change: one object's size flips in the list of every object with its size.
 * </ul>
 *
 * Foils are false by construction; the tests check every one of a generated set with
 * {@link CaptionTruth}. A scene with one object has no swap foils; a scene with three has up to
 * {@link #SWAPS_PER_IMAGE} of each swap (different pairs), so each kind gets about one foil per
 * image. Equal inputs give equal foils.
 */
public final class BindingFoils {

    /** The most foils of one swap type per image (three objects have three pairs). */
    public static final int SWAPS_PER_IMAGE = 2;

    /**
     * One test: an image, a caption true of it and a foil false of it.
     *
     * @param imageIndex index into the samples the foils were made from
     * @param type how the foil departs from the caption
     * @param caption true of the image's scene
     * @param foil false of it
     */
    public record Foil(int imageIndex, FoilType type, String caption, String foil) {}

    private BindingFoils() {}

    /** Foils for every sample with a scene, in sample order, then in {@link FoilType} order. */
    public static List<Foil> of(List<Sample> samples, long seed) {
        List<Foil> out = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            Scene scene = samples.get(i).scene();
            if (scene == null) {
                continue;
            }
            SplittableRandom rng = Randoms.stream(seed, i);
            for (FoilType type : FoilType.values()) {
                for (String[] pair : foils(type, scene, rng)) {
                    out.add(new Foil(i, type, pair[0], pair[1]));
                }
            }
        }
        return out;
    }

    /** {caption, foil} pairs of one type for one scene (none when the scene cannot make one). */
    static List<String[]> foils(FoilType type, Scene scene, SplittableRandom rng) {
        List<SceneObject> objects = Randoms.shuffled(scene.objects(), rng);
        List<String[]> out = new ArrayList<>();
        switch (type) {
            case ATTRIBUTE_SWAP -> {
                for (int[] p : pairs(objects.size(), rng)) {
                    SceneObject a = objects.get(p[0]);
                    SceneObject b = objects.get(p[1]);
                    if (a.colour() == b.colour() || a.shape() == b.shape() || out.size() == SWAPS_PER_IMAGE) {
                        continue;
                    }
                    List<String> truth = new ArrayList<>();
                    List<String> foil = new ArrayList<>();
                    for (int k = 0; k < objects.size(); k++) {
                        SceneObject o = objects.get(k);
                        truth.add(Phrases.indefinite(Phrases.noun(o, Detail.COLOUR_SHAPE)));
                        Colour colour = k == p[0] ? b.colour() : k == p[1] ? a.colour() : o.colour();
                        foil.add(Phrases.indefinite(colour.word() + " " + o.shape().word()));
                    }
                    out.add(new String[] {Phrases.and(truth), Phrases.and(foil)});
                }
            }
            case RELATION_SWAP -> {
                for (int[] p : pairs(objects.size(), rng).subList(0, Math.min(SWAPS_PER_IMAGE, objects.size() - 1))) {
                    SceneObject a = objects.get(p[0]);
                    SceneObject b = objects.get(p[1]);
                    Relation relation = Randoms.pick(Relation.holding(a, b), rng);
                    String verb = rng.nextBoolean() ? " is " : " ";
                    out.add(new String[] {relation(a, verb, relation, b), relation(b, verb, relation, a)});
                }
            }
            case COUNT_CHANGE -> {
                Map<ShapeType, Integer> tally = new LinkedHashMap<>();
                for (SceneObject o : objects) {
                    tally.merge(o.shape(), 1, Integer::sum);
                }
                List<ShapeType> shapes = new ArrayList<>(tally.keySet());
                ShapeType changed = Randoms.pick(shapes, rng);
                int k = tally.get(changed);
                int other = k == 1 ? 2 : k == MAX_COUNT ? k - 1 : rng.nextBoolean() ? k - 1 : k + 1;
                List<String> truth = new ArrayList<>();
                List<String> foil = new ArrayList<>();
                for (ShapeType s : shapes) {
                    truth.add(counted(tally.get(s), s, scene.size()));
                    foil.add(counted(s == changed ? other : tally.get(s), s, scene.size()));
                }
                out.add(new String[] {Phrases.and(truth), Phrases.and(foil)});
            }
            case SIZE_CHANGE -> {
                int flipped = rng.nextInt(objects.size());
                List<String> truth = new ArrayList<>();
                List<String> foil = new ArrayList<>();
                for (int k = 0; k < objects.size(); k++) {
                    SceneObject o = objects.get(k);
                    truth.add(Phrases.indefinite(Phrases.noun(o, Detail.FULL)));
                    Size size = k != flipped ? o.size() : o.size() == Size.LARGE ? Size.SMALL : Size.LARGE;
                    foil.add(Phrases.indefinite(size.word() + " " + Phrases.noun(o, Detail.COLOUR_SHAPE)));
                }
                out.add(new String[] {Phrases.and(truth), Phrases.and(foil)});
            }
            default -> throw new IllegalStateException(type.toString());
        }
        return out;
    }

    /** The largest count a foil may name: the most objects a default scene holds. */
    private static final int MAX_COUNT = ShapesWorldConfig.DEFAULT_MAX_OBJECTS;

    /** Every index pair of n objects, in random order. */
    private static List<int[]> pairs(int n, SplittableRandom rng) {
        List<int[]> all = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                all.add(new int[] {a, b});
            }
        }
        return Randoms.shuffled(all, rng);
    }

    private static String relation(SceneObject a, String verb, Relation r, SceneObject b) {
        return Phrases.indefinite(Phrases.noun(a, Detail.COLOUR_SHAPE)) + verb + r.phrase() + " "
                + Phrases.indefinite(Phrases.noun(b, Detail.COLOUR_SHAPE));
    }

    /** As the caption writer counts: "two circles", "a triangle" inside a longer list, "one circle" alone. */
    private static String counted(int k, ShapeType shape, int sceneSize) {
        return k == 1 && sceneSize > 1 ? Phrases.indefinite(shape.noun(k)) : Phrases.number(k) + " " + shape.noun(k);
    }
}
