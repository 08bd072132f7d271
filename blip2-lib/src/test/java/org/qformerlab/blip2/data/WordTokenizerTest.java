package org.qformerlab.blip2.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WordTokenizerTest {

    private final WordTokenizer tokenizer = WordTokenizer.fromTexts(List.of(
            "a red circle left of a blue square", "What colour is the circle?"));

    @Test
    void specialTokensHaveFixedIdsAndWordsFollowSorted() {
        assertEquals(List.of("[PAD]", "[CLS]", "[DEC]", "[UNK]", "</s>"), tokenizer.vocabulary().subList(0, 5));
        assertEquals(0, tokenizer.id(WordTokenizer.PAD));
        assertEquals(1, tokenizer.id(WordTokenizer.CLS));
        assertEquals(2, tokenizer.id(WordTokenizer.DEC));
        assertEquals(3, tokenizer.id(WordTokenizer.UNK));
        assertEquals(4, tokenizer.id(WordTokenizer.EOS));
        assertEquals(List.of("?", "a", "blue", "circle", "colour", "is", "left", "of", "red", "square", "the", "what"),
                tokenizer.vocabulary().subList(5, tokenizer.vocabSize()));
        assertEquals(17, tokenizer.vocabSize());
    }

    @Test
    void tokenizeLowerCasesAndSplitsOffPunctuation() {
        assertEquals(List.of("what", "colour", "is", "the", "circle", "?"), WordTokenizer.tokenize("What  colour is\tthe circle?"));
        assertEquals(List.of("a", ",", "b", "and", "c", "."), WordTokenizer.tokenize("a, b and c."));
        assertEquals(List.of(), WordTokenizer.tokenize("   "));
    }

    @Test
    void encodePadsWithClsFirst() {
        Encoding e = tokenizer.encode("a red circle", 6, true);
        assertArrayEquals(new int[] {1, tokenizer.id("a"), tokenizer.id("red"), tokenizer.id("circle"), 0, 0}, e.ids());
        assertArrayEquals(new int[] {1, 1, 1, 1, 0, 0}, e.mask());
        assertEquals(4, e.length());
        Encoding plain = tokenizer.encode("a red circle", 4, false);
        assertArrayEquals(new int[] {tokenizer.id("a"), tokenizer.id("red"), tokenizer.id("circle"), 0}, plain.ids());
    }

    @Test
    void truncationKeepsCls() {
        Encoding e = tokenizer.encode("a red circle left of a blue square", 3, true);
        assertArrayEquals(new int[] {1, tokenizer.id("a"), tokenizer.id("red")}, e.ids());
        assertArrayEquals(new int[] {1, 1, 1}, e.mask());
        assertArrayEquals(new int[] {1}, tokenizer.encode("a red circle", 1, true).ids());
        assertArrayEquals(new int[] {tokenizer.id("a"), tokenizer.id("red")}, tokenizer.encode("a red circle", 2, false).ids());
        assertThrows(IllegalArgumentException.class, () -> tokenizer.encode("a", 0, true));
    }

    @Test
    void unknownWordsBecomeUnk() {
        Encoding e = tokenizer.encode("a purple hexagon", 4, false);
        assertArrayEquals(new int[] {tokenizer.id("a"), 3, 3, 0}, e.ids());
    }

    @Test
    void decodeSkipsSpecialsAndAttachesPunctuation() {
        int[] ids = tokenizer.encode("What colour is the circle?", 10, true).ids();
        assertEquals("what colour is the circle?", tokenizer.decode(ids));
        assertEquals("red circle", tokenizer.decode(new int[] {2, tokenizer.id("red"), 3, tokenizer.id("circle"), 4, 0, 0}));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {999}));
    }

    @Test
    void everyShapesWorldTextRoundTrips() {
        ShapesDataset world = ShapesWorld.generate(ShapesWorldConfig.defaults().withCounts(300, 50, 50, 50));
        WordTokenizer words = WordTokenizer.fromTexts(world.texts());
        assertTrue(words.vocabSize() < 80, "closed vocabulary, got " + words.vocabSize());
        for (String text : world.texts()) {
            Encoding e = words.encode(text, 40, true);
            assertEquals(text, words.decode(e.ids()));
            for (int id : e.ids()) {
                assertTrue(id != WordTokenizer.UNK_ID, text);
            }
        }
    }

    @Test
    void encodeAllEncodesEveryTextToTheSameLength() {
        BatchEncoding batch = tokenizer.encodeAll(List.of("a red circle", "the blue square is left of a red circle"), 5, true);
        assertEquals(2, batch.size());
        assertArrayEquals(tokenizer.encode("a red circle", 5, true).ids(), batch.ids()[0]);
        assertArrayEquals(tokenizer.encode("the blue square is left of a red circle", 5, true).mask(), batch.mask()[1]);
        assertEquals(10, batch.flatIds().length);
        assertEquals(1L, batch.flatIds()[5]);
    }

    @Test
    void saveAndLoadGiveTheSameTokenizer(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("sub/tokenizer.json");
        tokenizer.save(file);
        WordTokenizer loaded = WordTokenizer.load(file);
        assertEquals(tokenizer.vocabulary(), loaded.vocabulary());
        assertEquals(tokenizer.encode("What colour is the circle?", 8, true), loaded.encode("What colour is the circle?", 8, true));
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void corruptFilesAreReportedClearly(@TempDir Path dir) throws IOException {
        assertLoadError(dir, "broken.json", "{\"format\": \"qformerlab-word-tokenizer\",\n \"tokens\": [\"[PAD]\" \"x\"]}",
                "not valid JSON at line 2, column");
        assertLoadError(dir, "array.json", "[1, 2]", "expected a JSON object with a 'tokens' array");
        assertLoadError(dir, "format.json", "{\"format\": \"other\", \"version\": 1, \"tokens\": []}",
                "field 'format' must be \"qformerlab-word-tokenizer\", got \"other\"");
        assertLoadError(dir, "version.json", "{\"format\": \"qformerlab-word-tokenizer\", \"version\": 7, \"tokens\": []}",
                "unsupported version 7, expected 1");
        assertLoadError(dir, "missing.json", "{\"format\": \"qformerlab-word-tokenizer\", \"version\": 1}",
                "missing array 'tokens'");
        assertLoadError(dir, "special.json", valid("\"[PAD]\", \"[DEC]\", \"[CLS]\", \"[UNK]\", \"</s>\""),
                "tokens[1] must be the special token \"[CLS]\", got \"[DEC]\"");
        assertLoadError(dir, "short.json", valid("\"[PAD]\", \"[CLS]\""), "'tokens' has 2 entries");
        assertLoadError(dir, "repeat.json", valid("\"[PAD]\", \"[CLS]\", \"[DEC]\", \"[UNK]\", \"</s>\", \"a\", \"b\", \"a\""),
                "tokens[7] \"a\" repeats tokens[5]");
        assertLoadError(dir, "number.json", valid("\"[PAD]\", \"[CLS]\", \"[DEC]\", \"[UNK]\", \"</s>\", 12"),
                "tokens[5] must be a non-blank string, got 12");
        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> WordTokenizer.load(dir.resolve("nope.json")));
        assertTrue(missing.getMessage().contains("nope.json"), missing.getMessage());
    }

    private static String valid(String tokens) {
        return "{\"format\": \"qformerlab-word-tokenizer\", \"version\": 1, \"tokens\": [" + tokens + "]}";
    }

    private static void assertLoadError(Path dir, String name, String content, String expected) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        DataFileException e = assertThrows(DataFileException.class, () -> WordTokenizer.load(file));
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
