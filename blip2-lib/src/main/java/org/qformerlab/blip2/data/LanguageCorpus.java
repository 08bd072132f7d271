package org.qformerlab.blip2.data;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * The frozen language model's pretraining text: documents, each a few sentences that describe a
 * scene followed by questions that those sentences answer. It teaches the skill that zero-shot VQA
 * through a soft prompt needs, reading the answer from what stands before the question, without
 * ever showing the LM the dataset's images or their captions.
 *
 * <ul>
 *   <li><b>Not grouped by image.</b> The scenes are drawn afresh from the world's sampler on a stream
 *       of their own, not taken from the dataset's samples; a scene that is one of the val, test or
 *       compositional scenes is drawn again, and held-out (colour, shape) combinations are never
 *       drawn, so no document describes an evaluation scene or names a held-out combination.
 *   <li><b>Paraphrases.</b> The caption families of {@link CaptionWriter} (attributes, position,
 *       relation, count) in their own words, and other sentences: "the circle is red", "the red
 *       square is large", "the blue one is a diamond", "the red circle is to the left of the cross",
 *       "the picture has three shapes".
 *   <li><b>Several question-answer forms.</b> The dataset's questions and others ("what is the
 *       colour of ...", "which shape is ...", "how big is ..."), written as
 *       {@code Question: q Answer: a} (the VQA prompt), {@code Q: q A: a} or {@code q the answer is a.}
 *   <li><b>Beyond this world.</b> A quarter of the documents describe an everyday world (dogs, cups,
 *       hats in black, orange, grey; big or little) with the same grammar, so that reading is a
 *       skill over names the LM has never seen bound to an image; a few state facts ("grass is
 *       green").
 *   <li><b>Answers in the text.</b> Every question comes with a sentence that states its answer
 *       (a relation question, with a sentence that relates the same two objects on the same axis, or
 *       one that places both); the other sentences are random true sentences about the scene. The
 *       sentences are shuffled, then the questions follow. Some documents ask nothing.
 * </ul>
 *
 * Each document is a list of texts; the language model reads {@code </s> text </s> text ...}.
 */
public final class LanguageCorpus {

    /** Documents that describe a scene and ask nothing. */
    static final double DESCRIPTION_ONLY = 0.15;
    /** Documents about the everyday world instead of the shapes. */
    static final double EVERYDAY = 0.25;
    /** Documents that state a fact beyond any scene. */
    static final double FACTS = 0.03;
    /** The random stream of the corpus, apart from the dataset's streams. */
    private static final long SALT = 0x4C414E47L; // "LANG"

    private static final List<String> PICTURE_PREFIXES =
            List.of("", "an image of ", "a picture of ", "a drawing of ", "a photo of ");
    private static final String[][] EVERYDAY_NOUNS = {
        {"dog", "dogs"}, {"cat", "cats"}, {"cup", "cups"}, {"book", "books"}, {"ball", "balls"}, {"car", "cars"},
        {"hat", "hats"}, {"box", "boxes"}, {"chair", "chairs"}, {"lamp", "lamps"}, {"bird", "birds"},
        {"apple", "apples"}};
    private static final List<String> EVERYDAY_COLOURS = List.of("black", "white", "orange", "brown", "pink", "grey");
    private static final String[][] FACTS_TEXT = {
        {"the sky", "blue"}, {"grass", "green"}, {"snow", "white"}, {"coal", "black"}, {"a banana", "yellow"},
        {"a tomato", "red"}, {"the sea", "blue"}, {"a leaf", "green"}, {"milk", "white"}, {"an orange", "orange"}};

    /** What a world's sentences call things and sizes. */
    private record Words(String thing, String things, String small, String large) {}

    private static final Words SHAPES = new Words("shape", "shapes", "small", "large");
    private static final Words EVERYDAY_WORDS = new Words("thing", "things", "little", "big");

    /** One object as text: its nouns, colour and size words, and its grid cell. */
    private record Thing(String noun, String plural, String colour, String size, Position cell) {
        String colourNoun() {
            return colour + " " + noun;
        }
    }

    /** A scene as text. */
    private record Described(List<Thing> things, Words words) {
        int count(Predicate<Thing> p) {
            return (int) things.stream().filter(p).count();
        }
    }

    /** A question with the sentence that states its answer. */
    private record Asked(String question, String answer, String evidence) {}

    private LanguageCorpus() {}

    /**
     * Documents until their texts hold at least {@code tokens} words, from the corpus stream of
     * {@code seed}.
     *
     * @param world the shapes world: its sampler's settings, held-out combinations and evaluation
     *     scenes (which are never described)
     */
    public static List<List<String>> documents(ShapesDataset world, long tokens, long seed) {
        Set<String> evaluationScenes = new HashSet<>();
        for (Split split : Split.values()) {
            if (split.isEvaluation()) {
                world.split(split).forEach(s -> evaluationScenes.add(s.scene().description()));
            }
        }
        List<ColourShape> seen = new ArrayList<>(ColourShape.all());
        seen.removeAll(world.heldOut());
        SceneSampler sampler = new SceneSampler(Math.min(world.config().maxObjects(), seen.size()));
        SplittableRandom rng = Randoms.stream(seed, SALT);
        List<List<String>> out = new ArrayList<>();
        long written = 0;
        while (written < tokens) {
            double kind = rng.nextDouble();
            List<String> doc;
            if (kind < FACTS) {
                doc = fact(rng);
            } else if (kind < FACTS + EVERYDAY) {
                doc = document(everyday(rng, world.config().maxObjects()), rng);
            } else {
                Scene scene = sampler.sample(rng, seen, seen);
                if (evaluationScenes.contains(scene.description())) {
                    continue;
                }
                doc = document(shapes(scene), rng);
            }
            for (String text : doc) {
                written += WordTokenizer.tokenize(text).size() + 1;
            }
            out.add(doc);
        }
        return out;
    }

    /** The scene's sentences (shuffled) and then its questions, or only sentences. */
    private static List<String> document(Described d, SplittableRandom rng) {
        List<Asked> asked = new ArrayList<>();
        if (rng.nextDouble() >= DESCRIPTION_ONLY) {
            int questions = 1 + rng.nextInt(3);
            for (int i = 0; i < questions; i++) {
                asked.add(question(d, rng));
            }
        }
        Set<String> sentences = new LinkedHashSet<>();
        asked.forEach(a -> sentences.add(a.evidence()));
        int extra = (asked.isEmpty() ? 2 : 0) + rng.nextInt(3);
        for (int i = 0; i < extra; i++) {
            sentences.add(sentence(d, rng));
        }
        List<String> doc = new ArrayList<>(Randoms.shuffled(new ArrayList<>(sentences), rng));
        for (Asked a : asked) {
            doc.add(qaText(a.question(), a.answer(), rng));
        }
        return doc;
    }

    /** "Question: q Answer: a" (three times in five), "Q: q A: a" or "q the answer is a." */
    static String qaText(String question, String answer, SplittableRandom rng) {
        int form = rng.nextInt(5);
        if (form < 3) {
            return "Question: " + question + " Answer: " + answer; // QA#promptWithAnswer
        }
        return form == 3 ? "Q: " + question + " A: " + answer : question + " the answer is " + answer + ".";
    }

    private static Described shapes(Scene scene) {
        List<Thing> things = new ArrayList<>();
        for (SceneObject o : scene.objects()) {
            things.add(new Thing(o.shape().word(), o.shape().plural(), o.colour().word(), o.size().word(), o.position()));
        }
        return new Described(things, SHAPES);
    }

    /** 1 to {@code maxObjects} everyday things in distinct cells, no (colour, noun) twice. */
    private static Described everyday(SplittableRandom rng, int maxObjects) {
        int n = 1 + rng.nextInt(Math.max(1, Math.min(maxObjects, 3)));
        List<Position> cells = Randoms.shuffled(List.of(Position.values()), rng).subList(0, n);
        List<Thing> things = new ArrayList<>();
        Set<String> kinds = new HashSet<>();
        while (things.size() < n) {
            String[] noun = EVERYDAY_NOUNS[rng.nextInt(EVERYDAY_NOUNS.length)];
            String colour = Randoms.pick(EVERYDAY_COLOURS, rng);
            if (kinds.add(colour + " " + noun[0])) {
                things.add(new Thing(noun[0], noun[1], colour, rng.nextBoolean() ? "big" : "little",
                        cells.get(things.size())));
            }
        }
        return new Described(things, EVERYDAY_WORDS);
    }

    private static List<String> fact(SplittableRandom rng) {
        String[] f = FACTS_TEXT[rng.nextInt(FACTS_TEXT.length)];
        return List.of(f[0] + " is " + f[1], qaText("what colour is " + f[0] + "?", f[1], rng));
    }

    // ---------------------------------------------------------------- sentences

    /** Any true sentence about the scene. */
    private static String sentence(Described d, SplittableRandom rng) {
        Thing t = Randoms.pick(d.things(), rng);
        return switch (rng.nextInt(d.things().size() > 1 ? 5 : 4)) {
            case 0 -> attributes(d, rng.nextBoolean(), rng);
            case 1 -> position(d, t, rng.nextBoolean(), rng);
            case 2 -> count(d, rng);
            case 3 -> statement(d, t, rng);
            default -> {
                List<Thing> pair = Randoms.shuffled(d.things(), rng).subList(0, 2);
                yield relation(pair.get(0), pair.get(1), Randoms.pick(holding(pair.get(0), pair.get(1)), rng),
                        rng.nextBoolean(), rng);
            }
        };
    }

    /** "a picture of a large red circle and a blue square" (every object; with sizes when {@code full}). */
    private static String attributes(Described d, boolean full, SplittableRandom rng) {
        List<String> parts = new ArrayList<>();
        for (Thing t : Randoms.shuffled(d.things(), rng)) {
            parts.add(Phrases.indefinite(noun(t, full)));
        }
        return Randoms.pick(PICTURE_PREFIXES, rng) + Phrases.and(parts);
    }

    /** "there is a red circle at the top left", or every object with its cell. */
    private static String position(Described d, Thing t, boolean full, SplittableRandom rng) {
        if (d.things().size() > 1 && rng.nextInt(3) == 0) {
            List<String> parts = new ArrayList<>();
            for (Thing o : Randoms.shuffled(d.things(), rng)) {
                parts.add(Phrases.indefinite(noun(o, full)) + " " + o.cell().phrase());
            }
            return Phrases.and(parts);
        }
        return switch (rng.nextInt(3)) {
            case 0 -> "there is " + Phrases.indefinite(noun(t, full)) + " " + t.cell().phrase();
            case 1 -> "the " + noun(t, full) + " is " + t.cell().phrase();
            default -> Phrases.indefinite(noun(t, full)) + " " + t.cell().phrase();
        };
    }

    /** "a red circle left of a blue square", "the red circle is to the left of the blue square". */
    private static String relation(Thing a, Thing b, Relation r, boolean full, SplittableRandom rng) {
        return switch (rng.nextInt(3)) {
            case 0 -> Phrases.indefinite(noun(a, full)) + " " + r.phrase() + " " + Phrases.indefinite(noun(b, full));
            case 1 -> Phrases.indefinite(noun(a, full)) + " is " + r.phrase() + " " + Phrases.indefinite(noun(b, full));
            default -> "the " + noun(a, full) + " is " + paraphrase(r) + " the " + noun(b, full);
        };
    }

    private static String paraphrase(Relation r) {
        return switch (r) {
            case LEFT_OF -> "to the left of";
            case RIGHT_OF -> "to the right of";
            case ABOVE, BELOW -> r.phrase();
        };
    }

    /** "three shapes", "there are three shapes", "two circles and a triangle", "two red shapes and a blue shape". */
    private static String count(Described d, SplittableRandom rng) {
        return switch (rng.nextInt(4)) {
            case 0 -> total(d, rng);
            case 1 -> byNoun(d);
            case 2 -> byColour(d);
            default -> "the picture has " + Phrases.number(d.things().size()) + " " + things(d, d.things().size());
        };
    }

    private static String total(Described d, SplittableRandom rng) {
        int n = d.things().size();
        return switch (rng.nextInt(3)) {
            case 0 -> Phrases.number(n) + " " + things(d, n);
            case 1 -> n == 1 ? "there is one " + d.words().thing() : "there are " + Phrases.number(n) + " " + things(d, n);
            default -> "i can see " + Phrases.number(n) + " " + things(d, n);
        };
    }

    private static String byNoun(Described d) {
        Set<String> nouns = new LinkedHashSet<>();
        d.things().forEach(t -> nouns.add(t.noun()));
        List<String> parts = new ArrayList<>();
        for (String noun : nouns) {
            List<Thing> of = d.things().stream().filter(t -> t.noun().equals(noun)).toList();
            parts.add(counted(of.size(), of.size() == 1 ? noun : of.get(0).plural(), d.things().size()));
        }
        return Phrases.and(parts);
    }

    private static String byColour(Described d) {
        Set<String> colours = new LinkedHashSet<>();
        d.things().forEach(t -> colours.add(t.colour()));
        List<String> parts = new ArrayList<>();
        for (String colour : colours) {
            int k = d.count(t -> t.colour().equals(colour));
            parts.add(counted(k, colour + " " + things(d, k), d.things().size()));
        }
        return Phrases.and(parts);
    }

    /** "the circle is red", "the red circle is small", "the red one is a circle", "the red circle is at the top". */
    private static String statement(Described d, Thing t, SplittableRandom rng) {
        return switch (rng.nextInt(4)) {
            case 0 -> uniqueNoun(d, t) ? "the " + t.noun() + " is " + t.colour() : "the " + t.colourNoun() + " is " + t.size();
            case 1 -> "the " + t.colourNoun() + " is " + t.size();
            case 2 -> uniqueColour(d, t) ? "the " + t.colour() + " one is " + Phrases.indefinite(t.noun())
                    : "the " + t.colourNoun() + " is " + t.cell().phrase();
            default -> "the " + t.colourNoun() + " is " + t.cell().phrase();
        };
    }

    // ---------------------------------------------------------------- questions

    /** A question of a random type that the scene allows, with a sentence that states its answer. */
    private static Asked question(Described d, SplittableRandom rng) {
        while (true) {
            Asked a = switch (QuestionType.values()[rng.nextInt(QuestionType.values().length)]) {
                case COLOUR -> colour(d, rng);
                case SHAPE -> shape(d, rng);
                case SIZE -> size(d, rng);
                case COUNT -> countQuestion(d, rng);
                case RELATION -> relationQuestion(d, rng);
            };
            if (a != null) {
                return a;
            }
        }
    }

    private static Asked colour(Described d, SplittableRandom rng) {
        Thing t = Randoms.pick(d.things(), rng);
        String ref;
        if (uniqueNoun(d, t)) {
            ref = "the " + t.noun();
        } else if (d.count(o -> o.noun().equals(t.noun()) && o.size().equals(t.size())) == 1) {
            ref = "the " + t.size() + " " + t.noun();
        } else {
            return null;
        }
        String q = switch (rng.nextInt(3)) {
            case 0 -> "what colour is " + ref + "?";
            case 1 -> "what is the colour of " + ref + "?";
            default -> "which colour is " + ref + "?";
        };
        boolean full = !ref.equals("the " + t.noun());
        String evidence = switch (rng.nextInt(3)) {
            case 0 -> attributes(d, full, rng);
            case 1 -> position(d, t, full, rng);
            default -> full ? "the " + t.colourNoun() + " is " + t.size() : "the " + t.noun() + " is " + t.colour();
        };
        return new Asked(q, t.colour(), evidence);
    }

    private static Asked shape(Described d, SplittableRandom rng) {
        Thing t = Randoms.pick(d.things(), rng);
        if (!uniqueColour(d, t)) {
            return null;
        }
        boolean shapes = d.words() == SHAPES;
        String q = switch (rng.nextInt(3)) {
            case 0 -> shapes ? "what shape is " + t.colour() + "?" : "what thing is " + t.colour() + "?";
            case 1 -> "what is the " + (shapes ? "shape" : "name") + " of the " + t.colour() + " object?";
            default -> shapes ? "which shape is " + t.colour() + "?" : "what is the " + t.colour() + " thing?";
        };
        String evidence = switch (rng.nextInt(3)) {
            case 0 -> attributes(d, rng.nextBoolean(), rng);
            case 1 -> position(d, t, rng.nextBoolean(), rng);
            default -> "the " + t.colour() + " one is " + Phrases.indefinite(t.noun());
        };
        return new Asked(q, t.noun(), evidence);
    }

    private static Asked size(Described d, SplittableRandom rng) {
        Thing t = Randoms.pick(d.things(), rng);
        String ref = uniqueNoun(d, t) ? "the " + t.noun() : "the " + t.colourNoun();
        Words w = d.words();
        String q = switch (rng.nextInt(3)) {
            case 0 -> "what size is " + ref + "?";
            case 1 -> "is " + ref + " " + w.small() + " or " + w.large() + "?";
            default -> "how big is " + ref + "?";
        };
        String evidence = switch (rng.nextInt(3)) {
            case 0 -> attributes(d, true, rng);
            case 1 -> position(d, t, true, rng);
            default -> "the " + t.colourNoun() + " is " + t.size();
        };
        return new Asked(q, t.size(), evidence);
    }

    private static Asked countQuestion(Described d, SplittableRandom rng) {
        Thing t = Randoms.pick(d.things(), rng);
        int n = d.things().size();
        return switch (rng.nextInt(3)) {
            case 0 -> new Asked("how many " + d.words().things() + " are there?", Phrases.number(n),
                    rng.nextBoolean() ? total(d, rng) : attributes(d, rng.nextBoolean(), rng));
            case 1 -> new Asked("how many " + t.plural() + " are there?",
                    Phrases.number(d.count(o -> o.noun().equals(t.noun()))),
                    rng.nextBoolean() ? byNoun(d) : attributes(d, rng.nextBoolean(), rng));
            default -> new Asked("how many " + t.colour() + " " + d.words().things() + " are there?",
                    Phrases.number(d.count(o -> o.colour().equals(t.colour()))),
                    rng.nextBoolean() ? byColour(d) : attributes(d, rng.nextBoolean(), rng));
        };
    }

    /**
     * "is a r b?", yes or no, half each, with a sentence that settles it: one that relates the two
     * objects on the axis of r (in either order), or, a third of the time, one that places each.
     */
    private static Asked relationQuestion(Described d, SplittableRandom rng) {
        if (d.things().size() < 2) {
            return null;
        }
        List<Thing> pair = Randoms.shuffled(d.things(), rng).subList(0, 2);
        Thing a = pair.get(0);
        Thing b = pair.get(1);
        boolean placed = rng.nextInt(3) == 0;
        List<Relation> askable = new ArrayList<>();
        Relation stated = Randoms.pick(holding(a, b), rng);
        for (Relation r : Relation.values()) {
            if (placed || sameAxis(r, stated)) {
                askable.add(r);
            }
        }
        Relation r = Randoms.pick(askable, rng);
        String answer = holds(r, a, b) ? "yes" : "no";
        String phrase = rng.nextInt(4) == 0 ? paraphrase(r) : r.phrase();
        String q = "is " + ref(d, a) + " " + phrase + " " + ref(d, b) + "?";
        boolean full = rng.nextBoolean();
        String evidence;
        if (placed) {
            evidence = "the " + noun(a, full) + " is " + a.cell().phrase() + " and the " + noun(b, full) + " is "
                    + b.cell().phrase();
        } else if (rng.nextBoolean()) {
            evidence = relation(a, b, stated, full, rng);
        } else {
            evidence = relation(b, a, converse(stated), full, rng);
        }
        return new Asked(q, answer, evidence);
    }

    // ---------------------------------------------------------------- helpers

    /** "red circle", or "large red circle" when {@code full}. */
    private static String noun(Thing t, boolean full) {
        return full ? t.size() + " " + t.colourNoun() : t.colourNoun();
    }

    /** The shortest unique name: "the circle" or "the red circle" (as the dataset's questions name objects). */
    private static String ref(Described d, Thing t) {
        return uniqueNoun(d, t) ? "the " + t.noun() : "the " + t.colourNoun();
    }

    private static boolean uniqueNoun(Described d, Thing t) {
        return d.count(o -> o.noun().equals(t.noun())) == 1;
    }

    private static boolean uniqueColour(Described d, Thing t) {
        return d.count(o -> o.colour().equals(t.colour())) == 1;
    }

    private static String things(Described d, int n) {
        return n == 1 ? d.words().thing() : d.words().things();
    }

    private static String counted(int k, String noun, int total) {
        return k == 1 && total > 1 ? Phrases.indefinite(noun) : Phrases.number(k) + " " + noun;
    }

    private static boolean holds(Relation r, Thing a, Thing b) {
        return switch (r) {
            case LEFT_OF -> a.cell().column() < b.cell().column();
            case RIGHT_OF -> a.cell().column() > b.cell().column();
            case ABOVE -> a.cell().row() < b.cell().row();
            case BELOW -> a.cell().row() > b.cell().row();
        };
    }

    private static List<Relation> holding(Thing a, Thing b) {
        List<Relation> out = new ArrayList<>();
        for (Relation r : Relation.values()) {
            if (holds(r, a, b)) {
                out.add(r);
            }
        }
        return out;
    }

    /** b [converse] a says what a [r] b says. */
    static Relation converse(Relation r) {
        return switch (r) {
            case LEFT_OF -> Relation.RIGHT_OF;
            case RIGHT_OF -> Relation.LEFT_OF;
            case ABOVE -> Relation.BELOW;
            case BELOW -> Relation.ABOVE;
        };
    }

    /** Whether two relations compare the same coordinate (left/right: columns; above/below: rows). */
    static boolean sameAxis(Relation r, Relation s) {
        return (r == Relation.LEFT_OF || r == Relation.RIGHT_OF) == (s == Relation.LEFT_OF || s == Relation.RIGHT_OF);
    }
}
