package org.qformerlab.blip2.experiment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.data.QA;
import org.qformerlab.blip2.data.QuestionType;
import org.qformerlab.blip2.data.RelationEvidence;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.WordTokenizer;
import org.qformerlab.blip2.eval.VqaAccuracy;
import org.qformerlab.blip2.llm.GenerationConfig;
import org.qformerlab.blip2.llm.LanguageModelCache;
import org.qformerlab.blip2.llm.Generator;
import org.qformerlab.blip2.llm.LanguagePretraining;
import org.qformerlab.blip2.llm.OptModel;

/**
 * What the frozen language model answers when it reads the image's reference captions instead of
 * the soft prompt: the same questions, the same LM, behind
 * {@code </s> caption </s> caption ... </s> Question: q Answer:} (the form in which its text-only
 * pretraining saw descriptions followed by questions), cut from the left to the LM's positions. It
 * separates the two halves of zero-shot VQA: a question type that the LM cannot answer even from
 * true captions that state the answer is held back by the LM, whatever the bridge delivers; it is
 * the reading ceiling that {@link org.qformerlab.blip2.eval.HeadroomScore} normalises by. (It is not
 * a strict ceiling: a soft prompt can carry what the captions leave out, such as every object's
 * size.)
 *
 * <p>The captions settle only some relation questions (a caption must relate the same two objects
 * on the question's axis, or place both: {@link RelationEvidence}); the rest a reader can only
 * guess. So relation is also measured on the questions the captions settle ({@link
 * Reading#stated()}): whether the LM can read a relation when the answer is in the text.
 *
 * <p>History: the LM pretrained on the training images' captions and QA strings, grouped by image
 * (before {@link org.qformerlab.blip2.data.LanguageCorpus}), answered from the true captions colour
 * 0.761, shape 0.822, size 0.740, count 0.900, relation 0.467 (3000 steps, 300 test images): it
 * never learnt to read a relation ({@code docs/findings.md}).
 */
public final class CaptionReading {

    private CaptionReading() {}

    /**
     * What the LM answered.
     *
     * @param all every question, behind the image's captions
     * @param stated the relation questions that the captions settle, alone
     */
    public record Reading(VqaAccuracy all, VqaAccuracy stated) {}

    /** One question as the LM reads it. */
    private record Asked(QA qa, long[] ids) {}

    /**
     * The reading of {@code entry}'s LM on the first {@code images} images of {@code split}
     * (0 = all), against the majority answers of the training split.
     */
    public static Reading measure(LanguageModelCache.Entry entry, ShapesDataset world, Split split, int images,
                                  NDManager root) {
        List<Sample> samples = world.split(split);
        samples = images > 0 && images < samples.size() ? samples.subList(0, images) : samples;
        Map<QuestionType, String> majority = VqaAccuracy.majorityAnswers(
                world.split(Split.TRAIN).stream().flatMap(s -> s.qas().stream()).toList());
        int positions = entry.model().config().maxPositions();
        LanguageText text = new LanguageText(entry.tokenizer(), positions);
        return measure(entry.model(), entry.tokenizer(), text, samples, majority, positions,
                Stage2Evaluation.ANSWER_TOKENS, Stage2Evaluation.BATCH, root);
    }

    /**
     * @param majority each question type's most frequent training answer
     * @param positions the LM's positions (captions are cut from the left to leave room for the
     *     prompt and the answer)
     */
    static Reading measure(OptModel lm, WordTokenizer tokenizer, LanguageText text, List<Sample> images,
                           Map<QuestionType, String> majority, int positions, int answerTokens, int batch,
                           NDManager root) {
        List<Asked> asked = new ArrayList<>();
        java.util.Set<QA> stated = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Sample s : images) {
            for (QA qa : s.qas()) {
                asked.add(new Asked(qa, context(tokenizer, s.captions(), text.prompt(qa.prompt()), positions - answerTokens)));
                if (qa.type() == QuestionType.RELATION && s.scene() != null
                        && RelationEvidence.settles(s.captions(), s.scene(), qa)) {
                    stated.add(qa);
                }
            }
        }
        GenerationConfig greedy = GenerationConfig.greedy(answerTokens, WordTokenizer.EOS_ID, WordTokenizer.PAD_ID)
                .withMinNewTokens(1);
        VqaAccuracy all = new VqaAccuracy(majority);
        VqaAccuracy settled = new VqaAccuracy(majority);
        for (List<Asked> chunk : SameLengthBatches.of(asked, a -> a.ids().length, batch)) {
            int length = chunk.get(0).ids().length;
            long[] flat = new long[chunk.size() * length];
            for (int r = 0; r < chunk.size(); r++) {
                System.arraycopy(chunk.get(r).ids(), 0, flat, r * length, length);
            }
            try (NDManager scope = root.newSubManager()) {
                NDArray embeds = lm.embedTokens(scope.create(flat, new Shape(chunk.size(), length)));
                long[][] tokens = Generator.generate(lm, embeds, null, greedy).tokens();
                for (int r = 0; r < chunk.size(); r++) {
                    QA qa = chunk.get(r).qa();
                    String answer = text.decode(tokens[r]);
                    all.add(qa, answer);
                    if (stated.contains(qa)) {
                        settled.add(qa, answer);
                    }
                }
            }
        }
        return new Reading(all, settled);
    }

    /**
     * {@code </s> c1 </s> c2 ...} followed by the prompt (which brings its own {@code </s>}), cut to
     * its last {@code room} ids so that the question always survives.
     */
    static long[] context(WordTokenizer tokenizer, List<String> captions, long[] prompt, int room) {
        List<Long> ids = new ArrayList<>();
        for (String caption : captions) {
            int[] doc = LanguagePretraining.document(tokenizer, caption);
            for (int i = 0; i < doc.length - 1; i++) { // the next text's </s> closes this one
                ids.add((long) doc[i]);
            }
        }
        for (long id : prompt) {
            ids.add(id);
        }
        int from = Math.max(0, ids.size() - room);
        return ids.subList(from, ids.size()).stream().mapToLong(Long::longValue).toArray();
    }
}
