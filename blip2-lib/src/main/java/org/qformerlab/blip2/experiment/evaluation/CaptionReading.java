package org.qformerlab.blip2.experiment.evaluation;

import org.qformerlab.blip2.report.CountedProgress;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.data.QA;
import org.qformerlab.blip2.data.QuestionType;
import org.qformerlab.blip2.data.RelationEvidence;
import org.qformerlab.blip2.data.SameLengthBatches;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.WordTokenizer;
import org.qformerlab.blip2.eval.VqaAccuracy;
import org.qformerlab.blip2.llm.GenerationConfig;
import org.qformerlab.blip2.llm.LanguageModelCache;
import org.qformerlab.blip2.llm.Generator;
import org.qformerlab.blip2.llm.LanguagePretraining;
import org.qformerlab.blip2.llm.LanguageText;
import org.qformerlab.blip2.llm.OptModel;
import org.qformerlab.blip2.llm.T5Model;
import org.qformerlab.blip2.nn.Module;

/**
 * What the frozen language model answers when it reads the image's reference captions instead of
 * the soft prompt: the same questions, the same LM, behind
 * {@code </s> caption </s> caption ... </s> Question: q Answer:} (the form in which its text-only
 * pretraining saw descriptions followed by questions), cut from the left to the LM's positions. It
 * separates the two halves of zero-shot VQA: a question type that the LM cannot answer even from
 * true captions that state the answer is held back by the LM, whatever the bridge delivers; it is
 * the reading ceiling that {@link org.qformerlab.blip2.eval.HeadroomScore} normalises by. A T5
 * ({@code stage2.language.family=T5}) reads the same ids framed as its encoder reads a prompt,
 * {@code caption </s> caption ... </s> Question: q Answer: </s>}, and its decoder writes the answer. (It is not
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

    private static final String READING = "the LM reading the true captions";

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
        int positions = entry.record().path("key").path("language").path("maxPositions").asInt(0);
        if (positions <= 0) {
            throw new IllegalStateException("the language model's cache entry " + entry.folder()
                    + " records no maxPositions in its key; delete the entry so that it is made again");
        }
        LanguageText text = new LanguageText(entry.tokenizer(), positions, entry.family());
        return measure(entry.language(), entry.tokenizer(), text, samples, majority, positions,
                Stage2Evaluation.ANSWER_TOKENS, Stage2Evaluation.BATCH, root, CountedProgress.silent());
    }

    /** The work of {@link #measure} in progress units: one per question ({@link Stage2Evaluation#CAPTION_UNITS}). */
    public static long work(List<Sample> images) {
        return Stage2Evaluation.questions(images);
    }

    /**
     * @param majority each question type's most frequent training answer
     * @param positions the LM's positions (captions are cut from the left to leave room for the
     *     prompt and the answer)
     * @param progress told of the answers generated, batch by batch
     */
    public static Reading measure(Module lm, WordTokenizer tokenizer, LanguageText text, List<Sample> images,
                           Map<QuestionType, String> majority, int positions, int answerTokens, int batch,
                           NDManager root, CountedProgress progress) {
        List<Asked> asked = new ArrayList<>();
        java.util.Set<QA> stated = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Sample s : images) {
            for (QA qa : s.qas()) {
                long[] ids = context(tokenizer, s.captions(), text.startAndWords(qa.prompt()), positions - answerTokens);
                asked.add(new Asked(qa, text.family().frame(ids)));
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
        progress.advance(0, READING);
        for (List<Asked> chunk : SameLengthBatches.of(asked, a -> a.ids().length, batch)) {
            int length = chunk.get(0).ids().length;
            long[] flat = new long[chunk.size() * length];
            for (int r = 0; r < chunk.size(); r++) {
                System.arraycopy(chunk.get(r).ids(), 0, flat, r * length, length);
            }
            try (NDManager scope = root.newSubManager()) {
                long[][] tokens = answer(lm, scope.create(flat, new Shape(chunk.size(), length)), greedy);
                for (int r = 0; r < chunk.size(); r++) {
                    QA qa = chunk.get(r).qa();
                    String answer = text.decode(tokens[r]);
                    all.add(qa, answer);
                    if (stated.contains(qa)) {
                        settled.add(qa, answer);
                    }
                }
            }
            progress.advance(chunk.size(), READING);
        }
        return new Reading(all, settled);
    }

    /**
     * Greedy answers to the framed {@code ids} [B, L]: an OPT continues them; a T5's encoder reads
     * them and its decoder writes from its start token.
     */
    private static long[][] answer(Module lm, NDArray ids, GenerationConfig greedy) {
        if (lm instanceof T5Model t5) {
            NDArray mask = ids.onesLike();
            var decoder = t5.decoderFor(t5.encode(t5.embedTokens(ids), mask, false), mask);
            NDArray start = decoder.embedTokens(ids.getManager().full(new Shape(ids.getShape().get(0), 1),
                    t5.config().decoderStartTokenId(), DataType.INT64));
            return Generator.generate(decoder, start, null, greedy).tokens();
        }
        OptModel opt = (OptModel) lm;
        return Generator.generate(opt, opt.embedTokens(ids), null, greedy).tokens();
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
