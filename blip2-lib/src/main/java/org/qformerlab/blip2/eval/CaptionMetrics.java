package org.qformerlab.blip2.eval;

import java.util.List;

/** Shared input handling of the caption metrics ({@link Bleu}, {@link CiderD}). */
public final class CaptionMetrics {

    private CaptionMetrics() {}

    /** A caption as the metrics see it: lower-cased words, punctuation removed. */
    public static List<String> words(String caption) {
        return NGrams.words(caption);
    }

    static List<List<String>> words(List<String> captions) {
        return captions.stream().map(NGrams::words).toList();
    }

    static List<List<List<String>>> wordsOfReferences(List<List<String>> references) {
        return references.stream().map(CaptionMetrics::words).toList();
    }

    static void checkAligned(int candidates, List<? extends List<?>> references) {
        if (candidates != references.size()) {
            throw new IllegalArgumentException(candidates + " candidate captions but " + references.size()
                    + " reference sets: give one list of references per candidate, in the same order");
        }
        for (int i = 0; i < references.size(); i++) {
            if (references.get(i).isEmpty()) {
                throw new IllegalArgumentException("candidate " + i + " has no reference caption: every image needs at least one");
            }
        }
    }
}
