package org.qformerlab.blip2.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.data.DataFileException;
import org.qformerlab.blip2.data.WordTokenizer;
import org.qformerlab.blip2.testing.TinyTokenizerJson;

/** Both tokenizers behind one interface; a tiny WordLevel tokenizer.json written here, read offline. */
class TokenizerTest {

    @Test
    void huggingFaceTokenizerEncodesWithItsPostProcessorAndDecodesWithoutSpecials(@TempDir Path dir) throws Exception {
        assertEquals("true", System.getProperty("ai.djl.offline"), "tests must run offline");
        try (Tokenizer t = HuggingFaceTokenizer.load(TinyTokenizerJson.write(dir))) {
            assertArrayEquals(new long[] {1, 3, 6, 7, 3, 4, 5}, t.encode("A photo of a red circle"));
            assertArrayEquals(new long[] {1, 3, 2}, t.encode("a square"), "unknown words become <unk>");
            assertEquals("a red circle", t.decode(new long[] {1, 3, 4, 5, 1, 0, 0}));
            assertEquals(Set.of(0L, 1L, 2L), t.specialIds());
        }
        try (Tokenizer t = HuggingFaceTokenizer.load(dir)) { // the folder is enough
            assertArrayEquals(new long[] {1, 5}, t.encode("circle"));
        }
    }

    @Test
    void missingOrCorruptTokenizerJsonIsNamed(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope").resolve("tokenizer.json");
        NoSuchFileException gone = assertThrows(NoSuchFileException.class, () -> HuggingFaceTokenizer.load(missing));
        assertTrue(gone.getMessage().contains(missing.toString()), gone.getMessage());

        Path truncated = dir.resolve("tokenizer.json");
        Files.writeString(truncated, TinyTokenizerJson.WORD_LEVEL.substring(0, TinyTokenizerJson.WORD_LEVEL.length() / 2));
        DataFileException bad = assertThrows(DataFileException.class, () -> HuggingFaceTokenizer.load(truncated));
        assertTrue(bad.getMessage().contains(truncated.toString()) && bad.getMessage().contains("not valid JSON"),
                bad.getMessage());

        Files.writeString(truncated, "{\"vocab\": {\"a\": 0}}");
        DataFileException foreign = assertThrows(DataFileException.class, () -> HuggingFaceTokenizer.load(truncated));
        assertTrue(foreign.getMessage().contains("not a Hugging Face tokenizer"), foreign.getMessage());

        Files.writeString(truncated, "{\"model\": {\"type\": \"NoSuchModel\"}}");
        DataFileException unreadable = assertThrows(DataFileException.class, () -> HuggingFaceTokenizer.load(truncated));
        assertTrue(unreadable.getMessage().contains(truncated.toString())
                && unreadable.getMessage().contains("tokenizers library cannot read it"), unreadable.getMessage());
    }

    @Test
    void wordTokenizerAdapterGivesWordIdsAndSkipsSpecials() {
        WordTokenizer words = WordTokenizer.fromTexts(List.of("a red circle.", "a blue square"));
        Tokenizer t = new WordTokenizerAdapter(words);
        long[] ids = t.encode("A red circle.");
        assertArrayEquals(new long[] {words.id("a"), words.id("red"), words.id("circle"), words.id(".")}, ids);
        long[] framed = {WordTokenizer.EOS_ID, ids[0], ids[1], ids[2], ids[3], WordTokenizer.EOS_ID, WordTokenizer.PAD_ID};
        assertEquals("a red circle.", t.decode(framed));
        assertEquals(Set.of(0L, 1L, 2L, 3L, 4L), t.specialIds());
        assertThrows(IllegalArgumentException.class, () -> t.decode(new long[] {99}));
    }
}
