package org.qformerlab.blip2.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether a shapes-world caption is true of a scene. The caption is read back into what it claims,
 * following the four families that {@link CaptionWriter} writes, and the claim is checked against
 * the scene's objects:
 *
 * <ul>
 *   <li>a list of objects ("a large red circle and a blue square") names every object of the scene,
 *       each once, with or without positions;
 *   <li>one object at a place ("there is a green triangle at the top") needs one such object;
 *   <li>a relation ("a red circle is left of a blue square") needs two such objects standing so;
 *   <li>counts ("three shapes", "two circles and a triangle", "two red shapes and a blue shape") must
 *       be the scene's counts, and a tally must add up to every object.
 * </ul>
 *
 * <p>Many captions are true of many scenes: in the embedded world more than half of the training
 * captions ("three shapes", "one circle") are written, word for word, for another scene too. A
 * contrastive or matching loss that takes such a caption as a negative of another image it describes
 * is taught a falsehood.
 *
 * <p>Text that is not in the writer's grammar (a COCO caption, a generated caption that went astray)
 * gives no verdict: {@link Optional#empty()}.
 */
public final class CaptionTruth {

    private CaptionTruth() {}

    /** True or false when the caption is in the shapes-world grammar; empty when it is not. */
    public static Optional<Boolean> holds(String caption, Scene scene) {
        return Claim.parse(caption).map(claim -> claim.holdsFor(scene));
    }

    /**
     * For a batch of (sample, caption) pairs: {@code [i][j]} is true when caption j, written for
     * sample j, is also true of sample i's scene (the diagonal is false: it is the positive pair).
     * Samples without a scene (COCO) and captions outside the grammar are never marked.
     */
    public static boolean[][] alsoTrue(List<Sample> samples, List<String> captions) {
        if (samples.size() != captions.size()) {
            throw new IllegalArgumentException(samples.size() + " samples but " + captions.size() + " captions");
        }
        int b = samples.size();
        boolean[][] out = new boolean[b][b];
        for (int j = 0; j < b; j++) {
            Optional<Claim> claim = Claim.parse(captions.get(j));
            if (claim.isEmpty()) {
                continue;
            }
            for (int i = 0; i < b; i++) {
                Scene scene = samples.get(i).scene();
                out[i][j] = i != j && scene != null && claim.get().holdsFor(scene);
            }
        }
        return out;
    }

    /**
     * Every caption against every scene: {@code [s][c]} is true when caption c is true of scene s.
     * Each caption is parsed once. Captions outside the grammar and null scenes (COCO) are false:
     * callers that know a caption's own image mark that pair themselves.
     */
    public static boolean[][] matrix(List<Scene> scenes, List<String> captions) {
        boolean[][] out = new boolean[scenes.size()][captions.size()];
        for (int c = 0; c < captions.size(); c++) {
            Optional<Claim> claim = Claim.parse(captions.get(c));
            if (claim.isEmpty()) {
                continue;
            }
            for (int s = 0; s < scenes.size(); s++) {
                out[s][c] = scenes.get(s) != null && claim.get().holdsFor(scenes.get(s));
            }
        }
        return out;
    }

    /** One noun phrase: how many, and the attributes it names (null = not said). */
    private record Phrase(int count, Size size, Colour colour, ShapeType shape, Position position) {

        boolean names(SceneObject o) {
            return (size == null || o.size() == size) && (colour == null || o.colour() == colour)
                    && (shape == null || o.shape() == shape) && (position == null || o.position() == position);
        }

        /** "a red circle": one object named by its shape and colour (the attribute and position families). */
        boolean isObject() {
            return count == 1 && shape != null && colour != null;
        }
    }

    /** What a caption claims about a scene. */
    private interface Claim {

        boolean holdsFor(Scene scene);

        static Optional<Claim> parse(String caption) {
            List<String> words = new ArrayList<>(WordTokenizer.tokenize(caption));
            stripPrefix(words);
            for (int i = 0; i < words.size(); i++) {
                Relation relation = Relation.startingAt(words, i);
                if (relation != null) {
                    int after = i + relation.phrase().split(" ").length;
                    List<String> left = words.subList(0, i);
                    if (!left.isEmpty() && left.get(left.size() - 1).equals("is")) {
                        left = left.subList(0, left.size() - 1);
                    }
                    Optional<Phrase> a = phrase(left);
                    Optional<Phrase> b = phrase(words.subList(after, words.size()));
                    if (a.isEmpty() || b.isEmpty() || !a.get().isObject() || !b.get().isObject()) {
                        return Optional.empty();
                    }
                    return Optional.of(scene -> relation.holdsBetween(scene, a.get()::names, b.get()::names));
                }
            }
            List<Phrase> items = new ArrayList<>();
            for (List<String> item : split(words)) {
                Optional<Phrase> p = phrase(item);
                if (p.isEmpty()) {
                    return Optional.empty();
                }
                items.add(p.get());
            }
            if (items.isEmpty()) {
                return Optional.empty();
            }
            if (items.stream().allMatch(Phrase::isObject)) {
                if (items.size() == 1 && items.get(0).position() != null) {
                    Phrase one = items.get(0);
                    return Optional.of(scene -> scene.objects().stream().anyMatch(one::names));
                }
                return Optional.of(scene -> everyObjectOnce(scene, items));
            }
            if (items.stream().anyMatch(p -> p.position() != null || p.size() != null)) {
                return Optional.empty();
            }
            if (items.size() == 1 && items.get(0).shape() == null && items.get(0).colour() == null) {
                int n = items.get(0).count();
                return Optional.of(scene -> scene.size() == n);
            }
            if (items.stream().allMatch(p -> p.shape() != null && p.colour() == null)) {
                return Optional.of(scene -> tally(scene, items, true));
            }
            if (items.stream().allMatch(p -> p.shape() == null && p.colour() != null)) {
                return Optional.of(scene -> tally(scene, items, false));
            }
            return Optional.empty();
        }
    }

    private static final List<List<String>> PREFIXES = List.of(
            List.of("an", "image", "of"), List.of("a", "picture", "of"), List.of("a", "drawing", "of"),
            List.of("there", "is"), List.of("there", "are"));

    private static void stripPrefix(List<String> words) {
        for (List<String> prefix : PREFIXES) {
            if (words.size() > prefix.size() && words.subList(0, prefix.size()).equals(prefix)) {
                words.subList(0, prefix.size()).clear();
                return;
            }
        }
    }

    /** The items of "x, y and z". */
    private static List<List<String>> split(List<String> words) {
        List<List<String>> items = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String w : words) {
            if (w.equals(",") || w.equals("and")) {
                items.add(current);
                current = new ArrayList<>();
            } else {
                current.add(w);
            }
        }
        items.add(current);
        return items;
    }

    /** "a large red circle at the top", "two circles", "three shapes", "a blue shape"; empty otherwise. */
    private static Optional<Phrase> phrase(List<String> w) {
        int i = 0;
        if (w.isEmpty()) {
            return Optional.empty();
        }
        int count = count(w.get(i++));
        if (count < 0) {
            return Optional.empty();
        }
        Size size = i < w.size() ? Size.ofWord(w.get(i)) : null;
        if (size != null) {
            i++;
        }
        Colour colour = i < w.size() ? Colour.ofWord(w.get(i)) : null;
        if (colour != null) {
            i++;
        }
        if (i >= w.size()) {
            return Optional.empty();
        }
        String noun = w.get(i++);
        ShapeType shape = null;
        boolean plural = count != 1;
        if (!noun.equals(plural ? "shapes" : "shape")) {
            shape = ShapeType.ofWord(noun, plural);
            if (shape == null) {
                return Optional.empty();
            }
        }
        Position position = null;
        if (i < w.size()) {
            position = position(w.subList(i, w.size()));
            if (position == null) {
                return Optional.empty();
            }
        }
        return Optional.of(new Phrase(count, size, colour, shape, position));
    }

    /** 1 for "a"/"an", n for a number word, -1 for anything else. */
    private static int count(String word) {
        if (word.equals("a") || word.equals("an")) {
            return 1;
        }
        for (int n = 1; n < 10; n++) {
            if (Phrases.number(n).equals(word)) {
                return n;
            }
        }
        return -1;
    }

    /** "at the top left", "on the left", "in the centre": the whole rest of the phrase. */
    private static Position position(List<String> w) {
        String phrase = String.join(" ", w);
        for (Position p : Position.values()) {
            if (p.phrase().equals(phrase)) {
                return p;
            }
        }
        return null;
    }

    /** The phrases name the scene's objects one to one (at most three objects: try every assignment). */
    private static boolean everyObjectOnce(Scene scene, List<Phrase> phrases) {
        return phrases.size() == scene.size() && assign(scene.objects(), phrases, 0, new boolean[scene.size()]);
    }

    private static boolean assign(List<SceneObject> objects, List<Phrase> phrases, int k, boolean[] used) {
        if (k == phrases.size()) {
            return true;
        }
        for (int o = 0; o < objects.size(); o++) {
            if (!used[o] && phrases.get(k).names(objects.get(o))) {
                used[o] = true;
                if (assign(objects, phrases, k + 1, used)) {
                    return true;
                }
                used[o] = false;
            }
        }
        return false;
    }

    /** Each phrase's count is the scene's count of its shape (or colour), and the counts add up to every object. */
    private static boolean tally(Scene scene, List<Phrase> phrases, boolean byShape) {
        int sum = 0;
        for (Phrase p : phrases) {
            int actual = byShape ? scene.count(p.shape()) : scene.count(p.colour());
            if (actual != p.count()) {
                return false;
            }
            sum += p.count();
        }
        return sum == scene.size();
    }
}
