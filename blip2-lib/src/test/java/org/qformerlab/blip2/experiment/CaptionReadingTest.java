package org.qformerlab.blip2.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.data.WordTokenizer;

/** The text the frozen LM reads when it answers from the true captions, id by id. */
class CaptionReadingTest {

    private static final WordTokenizer TOKENIZER =
            WordTokenizer.fromTexts(List.of("a red circle", "a blue square", "Question: what colour is the circle? Answer: red"));

    private static long id(String word) {
        return TOKENIZER.id(word);
    }

    @Test
    void captionsEachOpenWithEosThenThePromptWithItsOwnEos() {
        LanguageText text = new LanguageText(TOKENIZER, 60);
        long[] prompt = text.prompt("Question: what colour is the circle? Answer:");
        long eos = WordTokenizer.EOS_ID;
        long[] ids = CaptionReading.context(TOKENIZER, List.of("a red circle", "a blue square"), prompt, 100);
        long[] expected = new long[8 + prompt.length];
        int i = 0;
        for (long x : new long[] {eos, id("a"), id("red"), id("circle"), eos, id("a"), id("blue"), id("square")}) {
            expected[i++] = x;
        }
        System.arraycopy(prompt, 0, expected, i, prompt.length); // the prompt starts with </s>
        assertArrayEquals(new long[] {eos}, new long[] {prompt[0]});
        assertArrayEquals(expected, ids);
    }

    @Test
    void tooLongAContextLosesItsFirstCaptionsNeverTheQuestion() {
        LanguageText text = new LanguageText(TOKENIZER, 60);
        long[] prompt = text.prompt("Question: what colour is the circle? Answer:");
        long[] ids = CaptionReading.context(TOKENIZER, List.of("a red circle", "a blue square"), prompt, prompt.length + 2);
        long[] expected = new long[prompt.length + 2];
        expected[0] = id("blue");
        expected[1] = id("square");
        System.arraycopy(prompt, 0, expected, 2, prompt.length);
        assertArrayEquals(expected, ids);
        assertArrayEquals(prompt, CaptionReading.context(TOKENIZER, List.of(), prompt, 100));
    }
}
