package org.qformerlab.blip2.experiment.evaluation;

import org.qformerlab.blip2.report.CountedProgress;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.bridge.Stage2Model;
import org.qformerlab.blip2.data.Instructions;
import org.qformerlab.blip2.data.QA;
import org.qformerlab.blip2.data.QuestionType;
import org.qformerlab.blip2.data.SameLengthBatches;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.TextTensors;
import org.qformerlab.blip2.data.WordTokenizer;
import org.qformerlab.blip2.eval.AttributeAccuracy;
import org.qformerlab.blip2.eval.Bleu;
import org.qformerlab.blip2.eval.CiderD;
import org.qformerlab.blip2.eval.VqaAccuracy;
import org.qformerlab.blip2.experiment.config.Stage2Config;
import org.qformerlab.blip2.llm.GenerationConfig;
import org.qformerlab.blip2.llm.LanguageText;
import org.qformerlab.blip2.vision.ImageFeatures;

/**
 * What a stage-2 model says about a set of images: a generated caption for each (scored by BLEU-4,
 * CIDEr-D and attribute accuracy against the scene) and a generated answer to each of its questions
 * (zero-shot VQA, "Question: {q} Answer:", exact match per question type beside the majority
 * answer). The final evaluation runs it on the test images; with {@code train.evalEvery > 0} the
 * trainer also runs it on the validation images every that many steps, which draws stage 2's
 * learning curve (BLIP-2's figure 5: zero-shot VQA over the iterations of stage 2, with and
 * without stage 1).
 */
public final class Stage2Evaluation {

    /** The prefix of the validation metrics logged during training ({@code val_cider}, {@code val_vqa}, ...). */
    public static final String VALIDATION = "val_";

    /** Images or questions per generation batch. */
    public static final int BATCH = 64;
    /** The longest answer generated in VQA (answers are one word). */
    public static final int ANSWER_TOKENS = 3;

    /**
     * The work of a generated caption in units of the evaluation's progress, one unit being a
     * generated answer. The evaluation's parts cost per item, measured on the embedded preset (320
     * test images with 1,484 questions, a trained model, one PyTorch thread): captioning 3.9 s
     * (12 ms an image), answering 4.5 s (3 ms a question), the LM reading the true captions 5.0 s
     * (3.3 ms a question), the image's worth to the LM ({@link ImageConditioning}) 9 s (28 ms an
     * image). Counted in these units the progress bar's ETA holds across the parts.
     */
    static final int CAPTION_UNITS = 4;

    private static final String CAPTIONING = "captioning the images";
    private static final String ANSWERING = "answering the questions";

    /**
     * One evaluation's outcome.
     *
     * @param captions the generated caption of each image
     * @param answers the generated answer to each question of each image
     * @param bleu4 corpus BLEU-4 against each image's reference captions
     * @param cider CIDEr-D of the same
     * @param attributes whether what the captions say holds in the scene
     * @param vqa exact match per question type, beside the majority answer
     */
    public record Outcome(List<String> captions, List<List<String>> answers, double bleu4, double cider,
                          AttributeAccuracy attributes, VqaAccuracy vqa) {

        /** The numbers by name, each with {@code prefix}: cider, bleu4, vqa, vqa_majority, vqa_{type}. */
        public Map<String, Double> metrics(String prefix) {
            Map<String, Double> out = new LinkedHashMap<>();
            out.put(prefix + "cider", cider);
            out.put(prefix + "bleu4", bleu4);
            vqa.putAccuracies(out, prefix + "vqa");
            out.put(prefix + "vqa_majority", vqa.majorityOverall());
            return out;
        }
    }

    private final Stage2Model model;
    private final ImageFeatures features;
    private final LanguageText text;
    private final Instructions instructions;
    private final Map<QuestionType, String> majority;
    private final Stage2Config config;
    private final NDManager root;

    /**
     * @param majority each question type's most frequent training answer (the VQA baseline)
     * @param config decoding: {@code maxNewTokens}, {@code numBeams}
     */
    public Stage2Evaluation(Stage2Model model, ImageFeatures features, LanguageText text, Instructions instructions,
                            Map<QuestionType, String> majority, Stage2Config config, NDManager root) {
        this.model = model;
        this.features = features;
        this.text = text;
        this.instructions = instructions;
        this.majority = majority;
        this.config = config;
        this.root = root;
    }

    /** Captions and answers for {@code images}, scored. */
    public Outcome on(List<Sample> images) {
        return on(images, CountedProgress.silent());
    }

    /** The work of {@link #on} in progress units: {@link #CAPTION_UNITS} per image, one per question. */
    public static long work(List<Sample> images) {
        return CAPTION_UNITS * (long) images.size() + questions(images);
    }

    /** As {@link #on(List)}, counting the captions and answers generated on {@code progress}, batch by batch. */
    public Outcome on(List<Sample> images, CountedProgress progress) {
        List<String> captions = captions(images, progress);
        AttributeAccuracy attributes = new AttributeAccuracy();
        List<List<String>> references = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            attributes.add(captions.get(i), images.get(i).scene());
            references.add(images.get(i).captions());
        }
        List<List<String>> answers = answers(images, progress);
        VqaAccuracy vqa = new VqaAccuracy(majority);
        for (int i = 0; i < images.size(); i++) {
            List<QA> qas = images.get(i).qas();
            for (int q = 0; q < qas.size(); q++) {
                vqa.add(qas.get(q), answers.get(i).get(q));
            }
        }
        return new Outcome(captions, answers, Bleu.corpusOfStrings(captions, references).bleu(),
                CiderD.corpusOfStrings(captions, references).cider(), attributes, vqa);
    }

    /**
     * A caption for each image: decoding from {@code [soft prompt ; </s>]} (an OPT continues it; a
     * T5's encoder reads it and its decoder writes the caption).
     */
    private List<String> captions(List<Sample> images, CountedProgress progress) {
        GenerationConfig generation = GenerationConfig.greedy(config.maxNewTokens(), WordTokenizer.EOS_ID,
                WordTokenizer.PAD_ID).withMinNewTokens(1);
        if (config.numBeams() > 1) {
            generation = generation.withBeams(config.numBeams(), 1.0);
        }
        List<String> out = new ArrayList<>();
        progress.advance(0, CAPTIONING);
        for (int from = 0; from < images.size(); from += BATCH) {
            List<Sample> chunk = images.subList(from, Math.min(images.size(), from + BATCH));
            try (NDManager scope = root.newSubManager()) {
                long[] start = text.prompt(""); // </s>: OPT's BOS, or the T5 encoder's end of an empty prompt
                long[] rows = new long[chunk.size() * start.length];
                for (int r = 0; r < chunk.size(); r++) {
                    System.arraycopy(start, 0, rows, r * start.length, start.length);
                }
                NDArray prompt = scope.create(rows, new Shape(chunk.size(), start.length));
                TextTensors instruction =
                        instructions.collate(scope, Collections.nCopies(chunk.size(), Instructions.of(null)));
                int[] ids = chunk.stream().mapToInt(Sample::id).toArray();
                long[][] tokens = model.generate(scope, features.get(scope, ids), instruction, prompt, generation)
                        .tokens();
                for (long[] row : tokens) {
                    out.add(text.decode(row));
                }
            }
            progress.advance(CAPTION_UNITS * (long) chunk.size(), CAPTIONING);
        }
        return out;
    }

    /**
     * The generated answer to each question of each image, greedy, from
     * {@code [soft prompt ; </s> Question: q Answer:]} for an OPT, which continues it, and from
     * {@code [soft prompt ; Question: q Answer: </s>]} for a T5, whose encoder reads it and whose
     * decoder writes the answer (LAVIS {@code Blip2T5}). Prompts of equal length are batched
     * together, so no padding enters a prompt.
     */
    private List<List<String>> answers(List<Sample> images, CountedProgress progress) {
        record Asked(int image, int question, long[] prompt) {}
        List<List<String>> out = new ArrayList<>();
        List<Asked> asked = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            List<QA> qas = images.get(i).qas();
            List<String> row = new ArrayList<>();
            for (int q = 0; q < qas.size(); q++) {
                row.add("");
                asked.add(new Asked(i, q, text.prompt(qas.get(q).prompt())));
            }
            out.add(row);
        }
        GenerationConfig generation = GenerationConfig.greedy(ANSWER_TOKENS, WordTokenizer.EOS_ID, WordTokenizer.PAD_ID)
                .withMinNewTokens(1);
        progress.advance(0, ANSWERING);
        for (List<Asked> chunk : SameLengthBatches.of(asked, a -> a.prompt().length, BATCH)) {
            int length = chunk.get(0).prompt().length;
            long[] prompts = new long[chunk.size() * length];
            int[] sampleIds = new int[chunk.size()];
            List<String> instructionTexts = new ArrayList<>(chunk.size());
            for (int r = 0; r < chunk.size(); r++) {
                Sample s = images.get(chunk.get(r).image());
                sampleIds[r] = s.id();
                instructionTexts.add(Instructions.of(s.qas().get(chunk.get(r).question())));
                System.arraycopy(chunk.get(r).prompt(), 0, prompts, r * length, length);
            }
            try (NDManager scope = root.newSubManager()) {
                NDArray prompt = scope.create(prompts, new Shape(chunk.size(), length));
                TextTensors instruction = instructions.collate(scope, instructionTexts);
                long[][] tokens = model.generate(scope, features.get(scope, sampleIds), instruction, prompt,
                        generation).tokens();
                for (int r = 0; r < chunk.size(); r++) {
                    out.get(chunk.get(r).image()).set(chunk.get(r).question(), text.decode(tokens[r]));
                }
            }
            progress.advance(chunk.size(), ANSWERING);
        }
        return out;
    }

    /** The questions of {@code images}, all together. */
    static long questions(List<Sample> images) {
        return images.stream().mapToLong(s -> s.qas().size()).sum();
    }
}
