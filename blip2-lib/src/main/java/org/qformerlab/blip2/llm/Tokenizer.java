package org.qformerlab.blip2.llm;

import java.util.Set;

/**
 * Text to token ids and back, the two ends of a language model. {@link #encode} applies the
 * tokenizer's own conventions for special tokens (a Hugging Face tokenizer's post-processor may add
 * BOS or EOS); {@link #decode} leaves every special token out, so generated ids read as plain text.
 * Implemented by {@link HuggingFaceTokenizer} (a {@code tokenizer.json}) and
 * {@link WordTokenizerAdapter} (the shapes world's closed vocabulary).
 */
public interface Tokenizer extends AutoCloseable {

    /** The ids of {@code text}, special tokens included where the tokenizer adds them. */
    long[] encode(String text);

    /** The text of {@code ids}, special tokens (padding, BOS, EOS, ...) left out. */
    String decode(long[] ids);

    /** The ids of the special tokens ({@link #decode} skips them). */
    Set<Long> specialIds();

    /** Frees native resources, if any. */
    @Override
    default void close() {}
}
