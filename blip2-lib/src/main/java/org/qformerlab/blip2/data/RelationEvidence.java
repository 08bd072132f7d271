package org.qformerlab.blip2.data;

import java.util.List;

/**
 * Whether an image's captions state the answer to its relation question ("is the red circle left
 * of the square?"), so that a reader of the captions alone could answer it:
 *
 * <ul>
 *   <li>a relation caption relates the same two objects, in either order, on the question's axis
 *       ("a square right of a red circle" settles left/right between them, not above/below); or
 *   <li>captions place both objects ("a red circle at the top left", "a blue square at the bottom").
 * </ul>
 *
 * Objects are found by colour and shape, which name one object in a scene ({@link Scene}'s rule).
 * Anything else (a relation between another pair, one object's place) leaves the question open, and
 * a reader can only guess.
 */
public final class RelationEvidence {

    private RelationEvidence() {}

    /** Whether {@code captions} of {@code scene} settle the relation question {@code qa}. */
    public static boolean settles(List<String> captions, Scene scene, QA qa) {
        if (qa.type() != QuestionType.RELATION) {
            throw new IllegalArgumentException("not a relation question: " + qa.question());
        }
        List<String> words = WordTokenizer.tokenize(qa.question());
        int at = -1;
        Relation asked = null;
        for (int i = 0; i < words.size() && asked == null; i++) {
            asked = Relation.startingAt(words, i);
            at = i;
        }
        if (asked == null || !words.get(0).equals("is")) {
            throw new IllegalArgumentException("cannot read the relation question: " + qa.question());
        }
        SceneObject a = named(scene, words.subList(1, at), qa);
        SceneObject b = named(scene, words.subList(at + asked.phrase().split(" ").length, words.size() - 1), qa);
        boolean placedA = false;
        boolean placedB = false;
        for (String caption : captions) {
            List<String> w = WordTokenizer.tokenize(caption);
            for (int i = 0; i < w.size(); i++) {
                Relation stated = Relation.startingAt(w, i);
                if (stated != null && sameAxis(stated, asked)) {
                    SceneObject before = lastObject(scene, w.subList(0, i));
                    SceneObject after = firstObject(scene, w.subList(i, w.size()));
                    if (before != null && after != null
                            && (before == a && after == b || before == b && after == a)) {
                        return true;
                    }
                }
            }
            placedA |= caption.contains(a.colour().word() + " " + a.shape().word() + " " + a.position().phrase());
            placedB |= caption.contains(b.colour().word() + " " + b.shape().word() + " " + b.position().phrase());
        }
        return placedA && placedB;
    }

    /** The object named by "the circle" or "the red circle". */
    private static SceneObject named(Scene scene, List<String> ref, QA qa) {
        String shape = ref.get(ref.size() - 1);
        String colour = ref.size() >= 3 ? ref.get(ref.size() - 2) : null;
        for (SceneObject o : scene.objects()) {
            if (o.shape().word().equals(shape) && (colour == null || o.colour().word().equals(colour))) {
                return o;
            }
        }
        throw new IllegalArgumentException("the question '" + qa.question() + "' names no object of the scene " + scene);
    }

    private static SceneObject lastObject(Scene scene, List<String> w) {
        for (int i = w.size() - 1; i > 0; i--) {
            SceneObject o = object(scene, w.get(i - 1), w.get(i));
            if (o != null) {
                return o;
            }
        }
        return null;
    }

    private static SceneObject firstObject(Scene scene, List<String> w) {
        for (int i = 1; i < w.size(); i++) {
            SceneObject o = object(scene, w.get(i - 1), w.get(i));
            if (o != null) {
                return o;
            }
        }
        return null;
    }

    private static SceneObject object(Scene scene, String colour, String shape) {
        for (SceneObject o : scene.objects()) {
            if (o.colour().word().equals(colour) && o.shape().word().equals(shape)) {
                return o;
            }
        }
        return null;
    }

    private static boolean sameAxis(Relation r, Relation s) {
        return LanguageCorpus.sameAxis(r, s);
    }
}
