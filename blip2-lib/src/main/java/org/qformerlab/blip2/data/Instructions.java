package org.qformerlab.blip2.data;

import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * The instructions an instruction-aware bridge (InstructBLIP) reads beside its queries. On the
 * shapes world the instruction is what the language model's text is asked to do:
 *
 * <ul>
 *   <li>for a caption, one fixed instruction, {@link #CAPTION} (InstructBLIP's captioning
 *       templates read "A short image caption:"; these words are the world's own, so every
 *       tokenizer of the world knows them);
 *   <li>for a question, its prompt {@code "Question: q Answer:"} ({@link QA#prompt()}), the text
 *       the language model continues with the answer.
 * </ul>
 *
 * The language model reads its text as before; the instruction is a second copy for the bridge,
 * tokenised with the Q-Former's own tokenizer (InstructBLIP gives the Q-Former a BERT tokenizer
 * of its own): {@code [CLS] words}, padded to the longest of the batch, as stage 1 reads text.
 * Words outside that vocabulary (a stage-1 Q-Former knows only caption words) become
 * {@code [UNK]}. Every bridge is handed the instruction; only an instruction-aware one reads it.
 */
public final class Instructions {

    /** The instruction of every caption. */
    public static final String CAPTION = "a picture of";

    private final TextPadding padding;

    /**
     * @param qformerTokenizer the tokenizer whose ids the Q-Former's word embeddings index
     * @param maxTextLength the Q-Former's position table ({@code qformer.maxTextLength})
     */
    public Instructions(WordTokenizer qformerTokenizer, int maxTextLength) {
        this.padding = new TextPadding(qformerTokenizer, maxTextLength);
    }

    /** The instruction for a text: the question's prompt, or {@link #CAPTION} when {@code qa} is null. */
    public static String of(QA qa) {
        return qa == null ? CAPTION : qa.prompt();
    }

    /** Ids and mask [N, T] in {@code scope}. */
    public TextTensors collate(NDManager scope, List<String> instructions) {
        return padding.collate(scope, instructions);
    }
}
