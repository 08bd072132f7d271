package org.qformerlab.blip2.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes question-answer pairs about a scene, at most one per {@link QuestionType}. A question is
 * only asked when its answer is unique: "what colour is the circle?" needs exactly one circle, and
 * objects are named by the shortest description that picks out one of them ("the circle" when
 * there is one circle, "the red circle" otherwise, which the scene rules make unique).
 */
final class QuestionWriter {

    private QuestionWriter() {
    }

    /** The questions for a scene, in the order of {@link QuestionType}; types with no candidate are skipped. */
    static List<QA> write(Scene scene, SplittableRandom rng) {
        List<QA> qas = new ArrayList<>();
        for (QuestionType type : QuestionType.values()) {
            List<QA> candidates = candidates(type, scene, rng);
            if (!candidates.isEmpty()) {
                qas.add(Randoms.pick(candidates, rng));
            }
        }
        return List.copyOf(qas);
    }

    private static List<QA> candidates(QuestionType type, Scene scene, SplittableRandom rng) {
        return switch (type) {
            case COLOUR -> colour(scene);
            case SHAPE -> shape(scene);
            case SIZE -> size(scene);
            case COUNT -> count(scene);
            case RELATION -> relation(scene, rng);
        };
    }

    /** The shortest unique name of an object: "the circle" or "the red circle". */
    static String reference(SceneObject o, Scene scene) {
        return scene.count(o.shape()) == 1 ? "the " + o.shape().word() : "the " + o.colour().word() + " " + o.shape().word();
    }

    private static List<QA> colour(Scene scene) {
        List<QA> out = new ArrayList<>();
        for (SceneObject o : scene.objects()) {
            String answer = o.colour().word();
            if (scene.count(o.shape()) == 1) {
                out.add(new QA("what colour is the " + o.shape().word() + "?", answer, QuestionType.COLOUR));
            } else if (scene.count(o.size(), o.shape()) == 1) {
                out.add(new QA("what colour is the " + o.size().word() + " " + o.shape().word() + "?", answer, QuestionType.COLOUR));
            }
        }
        return out;
    }

    private static List<QA> shape(Scene scene) {
        List<QA> out = new ArrayList<>();
        for (SceneObject o : scene.objects()) {
            if (scene.count(o.colour()) == 1) {
                String colour = o.colour().word();
                String answer = o.shape().word();
                out.add(new QA("what shape is " + colour + "?", answer, QuestionType.SHAPE));
                out.add(new QA("what is the shape of the " + colour + " object?", answer, QuestionType.SHAPE));
            }
        }
        return out;
    }

    private static List<QA> size(Scene scene) {
        List<QA> out = new ArrayList<>();
        for (SceneObject o : scene.objects()) {
            String ref = reference(o, scene);
            String answer = o.size().word();
            out.add(new QA("what size is " + ref + "?", answer, QuestionType.SIZE));
            out.add(new QA("is " + ref + " small or large?", answer, QuestionType.SIZE));
        }
        return out;
    }

    private static List<QA> count(Scene scene) {
        List<QA> out = new ArrayList<>();
        out.add(new QA("how many shapes are there?", Phrases.number(scene.size()), QuestionType.COUNT));
        for (ShapeType s : ShapeType.values()) {
            if (scene.count(s) > 0) {
                out.add(new QA("how many " + s.plural() + " are there?", Phrases.number(scene.count(s)), QuestionType.COUNT));
            }
        }
        for (Colour c : Colour.values()) {
            if (scene.count(c) > 0) {
                out.add(new QA("how many " + c.word() + " shapes are there?", Phrases.number(scene.count(c)), QuestionType.COUNT));
            }
        }
        return out;
    }

    /** One yes/no question about a random ordered pair; "yes" and "no" are equally likely. */
    private static List<QA> relation(Scene scene, SplittableRandom rng) {
        if (scene.size() < 2) {
            return List.of();
        }
        List<SceneObject> pair = Randoms.shuffled(scene.objects(), rng).subList(0, 2);
        SceneObject a = pair.get(0);
        SceneObject b = pair.get(1);
        boolean wantYes = rng.nextBoolean();
        List<Relation> options = new ArrayList<>();
        for (Relation r : Relation.values()) {
            if (r.holds(a, b) == wantYes) {
                options.add(r);
            }
        }
        // Distinct cells: at least one relation holds and at least two do not, so options is never empty.
        Relation r = Randoms.pick(options, rng);
        String question = "is " + reference(a, scene) + " " + r.phrase() + " " + reference(b, scene) + "?";
        return List.of(new QA(question, wantYes ? "yes" : "no", QuestionType.RELATION));
    }
}
