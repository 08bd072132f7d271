package org.qformerlab.blip2.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** A tiny Hugging Face {@code tokenizer.json} that tests write for themselves (no downloads). */
public final class TinyTokenizerJson {

    private TinyTokenizerJson() {}

    /**
     * A WordLevel tokenizer as the {@code tokenizers} library saves it: pad 0, BOS/EOS {@code </s>} 1,
     * unk 2, five words; whitespace pre-tokenizer; a post-processor that puts {@code </s>} first,
     * as OPT's does.
     */
    public static final String WORD_LEVEL = """
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

    /** Writes it as {@code dir/tokenizer.json}. */
    public static Path write(Path dir) throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, WORD_LEVEL);
        return file;
    }
}
