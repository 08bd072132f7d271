package org.qformerlab.blip2.llm;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.qformerlab.blip2.data.TextTensors;
import org.qformerlab.blip2.data.WordTokenizer;

/**
 * Texts as the frozen language model reads them behind the soft prompt: {@code </s> words </s>},
 * right-padded with {@code [PAD]} to the longest text of the batch and cut to {@code maxLength}
 * (what is left of the LM's positions after the queries). The first token, {@code </s>}, is the
 * one-token prompt that stage 2 does not predict. Training texts are the same for both families
 * ({@link org.qformerlab.blip2.bridge.FrozenLanguageModel#languageModelling}: a T5 drops the start
 * marker and its encoder reads {@code [soft prompt ; </s>]}); generation prompts are framed per
 * family ({@link #prompt}).
 */
public final class LanguageText {

    /** Tokens at the start of every text that are given, not predicted: the {@code </s>}. */
    public static final int PROMPT_LENGTH = 1;

    private final WordTokenizer tokenizer;
    private final int maxLength;
    private final LanguageFamily family;

    /** Texts for an OPT. */
    public LanguageText(WordTokenizer tokenizer, int maxLength) {
        this(tokenizer, maxLength, LanguageFamily.OPT);
    }

    public LanguageText(WordTokenizer tokenizer, int maxLength, LanguageFamily family) {
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        this.family = family;
    }

    public LanguageFamily family() {
        return family;
    }

    public TextTensors collate(NDManager scope, List<String> texts) {
        int[][] docs = new int[texts.size()][];
        int longest = 2;
        for (int i = 0; i < docs.length; i++) {
            docs[i] = LanguagePretraining.document(tokenizer, texts.get(i));
            longest = Math.max(longest, Math.min(docs[i].length, maxLength));
        }
        long[] ids = new long[docs.length * longest];
        long[] mask = new long[docs.length * longest];
        for (int i = 0; i < docs.length; i++) {
            int n = Math.min(docs[i].length, longest);
            for (int j = 0; j < n; j++) {
                ids[i * longest + j] = docs[i][j];
                mask[i * longest + j] = 1;
            }
        }
        Shape shape = new Shape(docs.length, longest);
        return new TextTensors(scope.create(ids, shape), scope.create(mask, shape));
    }

    /**
     * The prompt of a generation, unpadded, as the family reads it ({@link LanguageFamily#frame}):
     * an OPT continues {@code </s> words}; a T5's encoder reads {@code words </s>} and its decoder
     * writes the continuation. The empty prompt (captioning) is {@code </s>} for both.
     */
    public long[] prompt(String text) {
        return family.frame(startAndWords(text));
    }

    /** {@code </s>} followed by the text's words: the decoder-only framing, before {@link #prompt} frames it. */
    public long[] startAndWords(String text) {
        int[] doc = LanguagePretraining.document(tokenizer, text);
        long[] out = new long[doc.length - 1]; // without the closing </s>
        for (int i = 0; i < out.length; i++) {
            out[i] = doc[i];
        }
        return out;
    }

    /** The generated ids up to the first {@code </s>}, as words. */
    public String decode(long[] generated) {
        int n = 0;
        while (n < generated.length && generated[n] != WordTokenizer.EOS_ID) {
            n++;
        }
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = (int) generated[i];
        }
        return tokenizer.decode(ids);
    }
}
