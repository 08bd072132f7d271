package org.qformerlab.blip2.data;

import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * Texts to {@code [CLS] words... [PAD]...} tensors, padded to the longest text of the batch (at most
 * {@code maxTextLength}, the Q-Former's position table). Padding is masked everywhere, so the
 * losses and scores are those of any longer padding; only the wasted work is gone (the shapes
 * world's captions run from 2 to about 26 words, most under 12).
 */
public final class TextPadding {

    private final WordTokenizer tokenizer;
    private final int maxTextLength;

    public TextPadding(WordTokenizer tokenizer, int maxTextLength) {
        this.tokenizer = tokenizer;
        this.maxTextLength = maxTextLength;
    }

    /** Ids and mask {@code [N, T]} in {@code scope}, T = 1 + the most words of any text, capped. */
    public TextTensors collate(NDManager scope, List<String> texts) {
        int longest = 1;
        for (String text : texts) {
            longest = Math.max(longest, 1 + WordTokenizer.tokenize(text).size());
        }
        return new BatchCollator(tokenizer, Math.min(longest, maxTextLength), true).texts(scope, texts);
    }
}
