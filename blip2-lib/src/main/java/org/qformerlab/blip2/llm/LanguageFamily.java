package org.qformerlab.blip2.llm;

import org.qformerlab.blip2.data.WordTokenizer;

/**
 * The two kinds of frozen language model BLIP-2 puts behind its bridge ({@code stage2.language.family}):
 *
 * <ul>
 *   <li>{@link #OPT}: decoder-only (LAVIS {@code Blip2OPT}): {@code [soft prompt ; </s> prompt words]}
 *       is the start of the sequence the model continues;
 *   <li>{@link #T5}: encoder-decoder, FlanT5's layout (LAVIS {@code Blip2T5}): the encoder reads
 *       {@code [soft prompt ; prompt words </s>]}, the decoder writes the rest from its start token.
 * </ul>
 *
 * Both read the same word vocabulary and are pretrained on the same text alone
 * ({@link LanguagePretraining}); only how a prompt is framed and who predicts what differ.
 */
public enum LanguageFamily {
    OPT,
    T5;

    /**
     * A prompt as this family reads it, from the decoder-only framing {@code </s> words} (what
     * {@link LanguagePretraining#document} gives without its closing {@code </s>}): OPT reads it as
     * it is; T5 reads {@code words </s>} (no start marker; EOS last, as T5's tokenizer ends a text).
     */
    public long[] frame(long[] startAndWords) {
        if (this == OPT) {
            return startAndWords.clone();
        }
        int from = startAndWords.length > 0 && startAndWords[0] == WordTokenizer.EOS_ID ? 1 : 0;
        long[] out = new long[startAndWords.length - from + 1];
        System.arraycopy(startAndWords, from, out, 0, startAndWords.length - from);
        out[out.length - 1] = WordTokenizer.EOS_ID;
        return out;
    }
}
