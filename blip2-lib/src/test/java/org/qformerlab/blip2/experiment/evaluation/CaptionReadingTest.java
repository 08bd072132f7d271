package org.qformerlab.blip2.experiment.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.data.QuestionType;
import org.qformerlab.blip2.data.RelationEvidence;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.data.ShapesWorldConfig;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.eval.VqaAccuracy;
import org.qformerlab.blip2.llm.LanguageModelCache;
import org.qformerlab.blip2.llm.LanguagePretrainConfig;
import org.qformerlab.blip2.data.WordTokenizer;
import org.qformerlab.blip2.llm.LanguageText;

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

    @Test
    void theReadingCountsEveryQuestionOfEachTypeAndTheRelationsTheCaptionsSettleApart(@TempDir Path dir) {
        ShapesDataset world = ShapesWorld.generate(ShapesWorldConfig.defaults(5).withImageSize(32).withCounts(60, 10, 40, 5));
        List<Sample> test = world.split(Split.TEST);
        try (NDManager m = NDManager.newBaseManager()) {
            LanguageModelCache.Entry lm = LanguageModelCache.pretrain(LanguagePretrainConfig.tiny().withSteps(2), world, dir, m, null);
            CaptionReading.Reading r = CaptionReading.measure(lm, world, Split.TEST, 0, m);
            for (QuestionType type : QuestionType.values()) {
                long asked = test.stream().flatMap(s -> s.qas().stream()).filter(q -> q.type() == type).count();
                assertEquals(asked, r.all().count(type), type.name());
                double accuracy = r.all().accuracy(type);
                assertTrue(accuracy >= 0 && accuracy <= 1, type + ": " + accuracy);
            }
            long settled = test.stream().mapToLong(s -> s.qas().stream().filter(q -> q.type() == QuestionType.RELATION
                    && RelationEvidence.settles(s.captions(), s.scene(), q)).count()).sum();
            assertTrue(settled > 0 && settled < r.all().count(QuestionType.RELATION), "settled " + settled);
            assertEquals(settled, r.stated().count(QuestionType.RELATION));
            assertEquals(List.of(QuestionType.RELATION), r.stated().types());
            assertEquals(VqaAccuracy.majorityAnswers(world.split(Split.TRAIN).stream().flatMap(s -> s.qas().stream())
                    .toList()), r.all().majority());
            assertEquals(40, CaptionReading.measure(lm, world, Split.TEST, 40, m).all().count(QuestionType.COUNT));
            assertEquals(10, CaptionReading.measure(lm, world, Split.TEST, 10, m).all().count(QuestionType.COUNT));
        }
    }
}
