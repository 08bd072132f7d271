package org.qformerlab.blip2.eval;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Word n-gram counts, the common ground of BLEU and CIDEr. */
final class NGrams {

    private NGrams() {}

    /**
     * Lower-cased words with punctuation removed, as the COCO caption evaluation's tokenizer
     * leaves them: {@code "A dog, running."} -> [a, dog, running].
     */
    static List<String> words(String caption) {
        String cleaned = caption.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}' ]+", " ").trim();
        return cleaned.isEmpty() ? List.of() : List.of(cleaned.split("\\s+"));
    }

    /** Counts of the n-grams of order {@code n} (joined by spaces). */
    static Map<String, Integer> count(List<String> words, int n) {
        Map<String, Integer> out = new HashMap<>();
        for (int i = 0; i + n <= words.size(); i++) {
            out.merge(String.join(" ", words.subList(i, i + n)), 1, Integer::sum);
        }
        return out;
    }
}
