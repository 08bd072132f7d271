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

/** Both tokenizers behind one interface; a tiny WordLevel tokenizer.json written here, read offline. */
class TokenizerTest {

    /**
     * A WordLevel tokenizer as the {@code tokenizers} library saves it: pad 0, BOS/EOS {@code </s>} 1,
     * unk 2, five words; whitespace pre-tokenizer; a post-processor that puts {@code </s>} first,
     * as OPT's does.
     */
    static final String WORD_LEVEL = """
            {"version": "1.0", "truncation": null, "padding": null,
             "added_tokens": [
               {"id": 0, "content": "<pad>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
               {"id": 1, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
               {"id": 2, "content": "<unk>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
             "normalizer": {"type": "Lowercase"},
             "pre_tokenizer": {"type": "Whitespace"},
             "post_processor": {"type": "TemplateProcessing",
               "single": [{"SpecialToken": {"id": "</s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
               "pair": [{"SpecialToken": {"id": "</s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
               "special_tokens": {"</s>": {"id": "</s>", "ids": [1], "tokens": ["</s>"]}}},
             "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
             "model": {"type": "WordLevel", "unk_token": "<unk>",
               "vocab": {"<pad>": 0, "</s>": 1, "<unk>": 2, "a": 3, "red": 4, "circle": 5, "photo": 6, "of": 7}}}
            """;

    static Path writeWordLevel(Path dir) throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, WORD_LEVEL);
        return file;
    }

    @Test
    void huggingFaceTokenizerEncodesWithItsPostProcessorAndDecodesWithoutSpecials(@TempDir Path dir) throws Exception {
        assertEquals("true", System.getProperty("ai.djl.offline"), "tests must run offline");
        try (Tokenizer t = HuggingFaceTokenizer.load(writeWordLevel(dir))) {
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
        Files.writeString(truncated, WORD_LEVEL.substring(0, WORD_LEVEL.length() / 2));
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
