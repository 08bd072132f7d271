package org.qformerlab.blip2.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The frozen LM's pretraining text: what it holds, and what it must never hold. */
class LanguageCorpusTest {

    private static final ShapesWorldConfig WORLD = ShapesWorldConfig.defaults(5).withImageSize(32).withCounts(60, 20, 40, 20);
    private static final Pattern QA = Pattern.compile("^(?:question: (.+\\?) answer: (.+)|q: (.+\\?) a: (.+)|(.+\\?) the answer is (.+)\\.)$");

    private static List<List<String>> corpus(ShapesWorldConfig world, long tokens) {
        return LanguageCorpus.documents(ShapesWorld.generate(world), tokens, 0);
    }

    private static boolean isQa(String text) {
        return QA.matcher(text.toLowerCase()).matches();
    }

    @Test
    void theTextIsNotTheImagesCaptionsGroupedByImage() {
        // another training split (and image size) gives the same text: it is not made from the training images
        assertEquals(corpus(WORLD, 20_000), corpus(WORLD.withCounts(300, 20, 40, 20).withImageSize(64), 20_000));
        // and no document holds the captions of a training image
        List<List<String>> docs = corpus(WORLD, 20_000);
        for (Sample s : ShapesWorld.generate(WORLD).split(Split.TRAIN)) {
            for (List<String> doc : docs) {
                assertFalse(doc.containsAll(s.captions()), "a document holds the captions of training image " + s.id());
            }
        }
    }

    @Test
    void itIsBroaderThanTheCaptionsParaphrasesQuestionFormsAndOtherWorlds() {
        List<String> texts = corpus(WORLD, 40_000).stream().flatMap(List::stream).toList();
        long vqaForm = texts.stream().filter(t -> t.startsWith("Question: ") && t.contains(" Answer: ")).count();
        long shortForm = texts.stream().filter(t -> t.startsWith("Q: ") && t.contains(" A: ")).count();
        long statedForm = texts.stream().filter(t -> t.contains("? the answer is ")).count();
        assertTrue(vqaForm > shortForm && shortForm > 0 && statedForm > 0, vqaForm + " " + shortForm + " " + statedForm);
        for (String paraphrase : List.of("^the (circle|square|triangle|diamond|cross) is (red|green|blue|yellow|purple|cyan)$",
                "^the \\w+ one is an? \\w+$", " is to the (left|right) of the ", "^the picture has \\w+ shapes?$",
                "^what is the colour of ", "^which shape is ", "^how big is ")) {
            Pattern p = Pattern.compile(paraphrase);
            assertTrue(texts.stream().map(t -> t.replaceFirst("^(Question: |Q: )", "")).anyMatch(t -> p.matcher(t).find()),
                    "no text matches " + paraphrase);
        }
        for (String beyond : List.of("dog", "hat", "orange", "little", "things", "grass is green")) {
            assertTrue(texts.stream().anyMatch(t -> t.contains(beyond)), "nothing beyond the shapes world: " + beyond);
        }
    }

    @Test
    void everyAttributeQuestionIsAnsweredByASentenceOfItsDocument() {
        int checked = 0;
        for (List<String> doc : corpus(WORLD, 40_000)) {
            String sentences = " " + String.join(" | ", doc.stream().filter(t -> !isQa(t)).toList()) + " ";
            for (String text : doc) {
                Matcher m = QA.matcher(text.toLowerCase());
                if (!m.matches()) {
                    continue;
                }
                String question = m.group(1) != null ? m.group(1) : m.group(3) != null ? m.group(3) : m.group(5);
                String answer = m.group(2) != null ? m.group(2) : m.group(4) != null ? m.group(4) : m.group(6);
                if (question.startsWith("what colour") || question.startsWith("what shape")
                        || question.startsWith("what size")) {
                    assertTrue(sentences.contains(" " + answer + " ") || sentences.contains(" " + answer + " |")
                            || sentences.matches("(?s).* " + answer + "( |$).*"), answer + " is not stated in " + doc);
                    checked++;
                }
            }
        }
        assertTrue(checked > 200, "only " + checked + " questions checked");
    }

    @Test
    void noEvaluationSceneIsDescribedAndNoHeldOutCombinationNamed() {
        // one object per scene: a sentence with its size, colour, shape and cell names the whole scene, and the
        // 100 test and val scenes are a third of the 346 that the seen combinations allow
        ShapesWorldConfig single = new ShapesWorldConfig(5, 32, 60, 40, 60, 20, 4, 1, 0.2);
        ShapesDataset world = ShapesWorld.generate(single);
        List<String> texts = LanguageCorpus.documents(world, 60_000, 0).stream().flatMap(List::stream).toList();
        Set<String> sceneWords = new HashSet<>();
        for (Split split : List.of(Split.VAL, Split.TEST, Split.COMPOSITIONAL)) {
            for (Sample s : world.split(split)) {
                SceneObject o = s.scene().objects().get(0);
                sceneWords.add(o.size().word() + " " + o.colour().word() + " " + o.shape().word() + " " + o.position().phrase());
            }
        }
        int described = 0;
        for (String text : texts) {
            for (String scene : sceneWords) {
                // "at the top" is a prefix of "at the top left": compare up to the end of the phrase
                assertFalse((text + " .").contains(scene + " ") && !(text + " ").contains(scene + " left")
                        && !(text + " ").contains(scene + " right"), "an evaluation scene is described: " + text);
            }
            described += text.matches("(there is )?an? (small|large) \\w+ \\w+ (at|on|in) the .*") ? 1 : 0;
        }
        assertTrue(described > 100, "only " + described + " full one-object sentences: the test would be empty");
        for (ColourShape c : world.heldOut()) {
            String phrase = c.colour().word() + " " + c.shape().word();
            assertTrue(texts.stream().noneMatch(t -> t.contains(phrase)), "the held-out " + phrase + " is named");
        }
    }

    @Test
    void itSpeaksEveryWordOfTheWorldAndIsTheSameForTheSameSeed() {
        ShapesDataset world = ShapesWorld.generate(ShapesWorldConfig.defaults().withImageSize(32).withCounts(400, 50, 50, 50));
        List<List<String>> docs = LanguageCorpus.documents(world, 200_000, 0);
        Set<String> spoken = new HashSet<>();
        docs.forEach(d -> d.forEach(t -> spoken.addAll(WordTokenizer.tokenize(t))));
        Set<String> missing = new HashSet<>();
        world.texts().forEach(t -> WordTokenizer.tokenize(t).stream().filter(w -> !spoken.contains(w)).forEach(missing::add));
        assertTrue(missing.isEmpty(), "the corpus never says " + missing);
        assertEquals(docs, LanguageCorpus.documents(world, 200_000, 0));
        assertFalse(docs.equals(LanguageCorpus.documents(world, 200_000, 1)));
        long tokens = docs.stream().flatMap(List::stream).mapToLong(t -> WordTokenizer.tokenize(t).size() + 1).sum();
        assertTrue(tokens >= 200_000 && tokens < 200_200, "tokens " + tokens);
    }
}
