package org.qformerlab.blip2.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;

import org.qformerlab.blip2.data.Phrases.Detail;

/**
 * Writes true captions for a scene from four families of templates, so that a sample's captions
 * describe it in different ways (as COCO's five annotators do):
 *
 * <ul>
 *   <li>attributes: "a large red circle and a blue square"</li>
 *   <li>position: "a green triangle at the top"</li>
 *   <li>relation (two or more objects): "a red circle left of a blue square"</li>
 *   <li>count: "three shapes", "two circles and a triangle"</li>
 * </ul>
 *
 * The families take turns in a random order; a sample's captions are all different.
 */
final class CaptionWriter {

    private enum Family { ATTRIBUTES, POSITION, RELATION, COUNT }

    private static final List<String> PICTURE_PREFIXES = List.of("", "an image of ", "a picture of ", "a drawing of ");
    private static final List<Detail> DETAILS = List.of(Detail.COLOUR_SHAPE, Detail.FULL);
    private static final int TRIES_PER_CAPTION = 50;

    private CaptionWriter() {
    }

    /** {@code count} distinct captions of the scene. */
    static List<String> write(Scene scene, int count, SplittableRandom rng) {
        List<Family> families = new ArrayList<>(List.of(Family.values()));
        if (scene.size() < 2) {
            families.remove(Family.RELATION);
        }
        families = Randoms.shuffled(families, rng);
        Set<String> captions = new LinkedHashSet<>();
        for (int attempt = 0; captions.size() < count; attempt++) {
            if (attempt >= TRIES_PER_CAPTION * count) {
                throw new IllegalStateException("could only write " + captions.size() + " distinct captions for '"
                        + scene.description() + "', " + count + " were asked for");
            }
            captions.add(write(families.get(attempt % families.size()), scene, rng));
        }
        return List.copyOf(captions);
    }

    private static String write(Family family, Scene scene, SplittableRandom rng) {
        return switch (family) {
            case ATTRIBUTES -> attributes(scene, rng);
            case POSITION -> position(scene, rng);
            case RELATION -> relation(scene, rng);
            case COUNT -> count(scene, rng);
        };
    }

    /** "a picture of a large red circle and a blue square". */
    private static String attributes(Scene scene, SplittableRandom rng) {
        Detail detail = Randoms.pick(DETAILS, rng);
        List<String> parts = new ArrayList<>();
        for (SceneObject o : Randoms.shuffled(scene.objects(), rng)) {
            parts.add(Phrases.indefinite(Phrases.noun(o, detail)));
        }
        return Randoms.pick(PICTURE_PREFIXES, rng) + Phrases.and(parts);
    }

    /** "a green triangle at the top", or every object with its position. */
    private static String position(Scene scene, SplittableRandom rng) {
        Detail detail = Randoms.pick(DETAILS, rng);
        List<SceneObject> objects = Randoms.shuffled(scene.objects(), rng);
        if (objects.size() > 1 && rng.nextBoolean()) {
            List<String> parts = new ArrayList<>();
            for (SceneObject o : objects) {
                parts.add(Phrases.indefinite(Phrases.noun(o, detail)) + " " + o.position().phrase());
            }
            return Phrases.and(parts);
        }
        SceneObject o = objects.get(0);
        String prefix = rng.nextBoolean() ? "there is " : "";
        return prefix + Phrases.indefinite(Phrases.noun(o, detail)) + " " + o.position().phrase();
    }

    /** "a red circle left of a blue square", "a red circle is above a blue square". */
    private static String relation(Scene scene, SplittableRandom rng) {
        List<SceneObject> pair = Randoms.shuffled(scene.objects(), rng).subList(0, 2);
        SceneObject a = pair.get(0);
        SceneObject b = pair.get(1);
        Relation relation = Randoms.pick(Relation.holding(a, b), rng);
        String verb = rng.nextBoolean() ? " is " : " ";
        return Phrases.indefinite(Phrases.noun(a, Randoms.pick(DETAILS, rng))) + verb + relation.phrase() + " "
                + Phrases.indefinite(Phrases.noun(b, Randoms.pick(DETAILS, rng)));
    }

    /**
     * "three shapes" or "there are three shapes" (a third of the time: they say little), else
     * "two circles and a triangle" or "two red shapes and a blue shape".
     */
    private static String count(Scene scene, SplittableRandom rng) {
        int n = scene.size();
        return switch (rng.nextInt(3)) {
            case 0 -> rng.nextBoolean() ? Phrases.number(n) + " " + shapes(n)
                    : n == 1 ? "there is one shape" : "there are " + Phrases.number(n) + " shapes";
            case 1 -> {
                List<String> parts = new ArrayList<>();
                tally(scene, rng, SceneObject::shape).forEach((shape, k) -> parts.add(counted(k, shape.noun(k), n)));
                yield Phrases.and(parts);
            }
            default -> {
                List<String> parts = new ArrayList<>();
                tally(scene, rng, SceneObject::colour).forEach((colour, k) -> parts.add(counted(k, colour.word() + " " + shapes(k), n)));
                yield Phrases.and(parts);
            }
        };
    }

    /** Objects per key, keys in random order. */
    private static <K> Map<K, Integer> tally(Scene scene, SplittableRandom rng, Function<SceneObject, K> key) {
        Map<K, Integer> counts = new LinkedHashMap<>();
        for (SceneObject o : Randoms.shuffled(scene.objects(), rng)) {
            counts.merge(key.apply(o), 1, Integer::sum);
        }
        return counts;
    }

    /** "two circles", "a triangle" inside a longer list, "one circle" when it is the whole scene. */
    private static String counted(int k, String noun, int sceneSize) {
        return k == 1 && sceneSize > 1 ? Phrases.indefinite(noun) : Phrases.number(k) + " " + noun;
    }

    private static String shapes(int n) {
        return n == 1 ? "shape" : "shapes";
    }
}
