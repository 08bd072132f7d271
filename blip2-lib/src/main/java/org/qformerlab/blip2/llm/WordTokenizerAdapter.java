package org.qformerlab.blip2.llm;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.qformerlab.blip2.data.WordTokenizer;

/**
 * The shapes world's {@link WordTokenizer} seen as a {@link Tokenizer}: {@link #encode} gives the
 * word ids only (no {@code [CLS]}, no padding: the caller frames them, e.g. with BOS for OPT), and
 * {@link #decode} is the word tokenizer's own, which skips its special tokens.
 */
public final class WordTokenizerAdapter implements Tokenizer {

    private final WordTokenizer words;

    public WordTokenizerAdapter(WordTokenizer words) {
        this.words = words;
    }

    @Override
    public long[] encode(String text) {
        List<String> tokens = WordTokenizer.tokenize(text);
        long[] ids = new long[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = words.id(tokens.get(i));
        }
        return ids;
    }

    @Override
    public String decode(long[] ids) {
        int[] narrow = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= words.vocabSize()) {
                throw new IllegalArgumentException(
                        "token id " + ids[i] + " is outside the vocabulary [0, " + words.vocabSize() + ")");
            }
            narrow[i] = (int) ids[i];
        }
        return words.decode(narrow);
    }

    @Override
    public Set<Long> specialIds() {
        Set<Long> out = new LinkedHashSet<>();
        for (int i = 0; i < WordTokenizer.SPECIALS.size(); i++) {
            out.add((long) i);
        }
        return out;
    }
}
