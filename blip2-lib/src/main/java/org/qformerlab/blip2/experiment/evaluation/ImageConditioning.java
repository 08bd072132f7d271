package org.qformerlab.blip2.experiment.evaluation;

import org.qformerlab.blip2.report.CountedProgress;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.qformerlab.blip2.bridge.Bridge;
import org.qformerlab.blip2.bridge.Stage2Model;
import org.qformerlab.blip2.data.Instructions;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.TextTensors;
import org.qformerlab.blip2.llm.LanguageText;
import org.qformerlab.blip2.nn.GradMode;
import org.qformerlab.blip2.vision.ImageFeatures;

/**
 * Does the frozen LM read the soft prompt? The LM loss of the evaluation images' captions behind
 * their own image's prompt ({@code matched}) against the same captions behind another image's prompt
 * ({@code mismatched}: the images rolled by one, so every caption gets a different scene). A bridge
 * that carries what is in the image makes {@code mismatched} clearly higher; when the two are equal
 * the LM writes from its text prior alone and any caption metric is the prior's. An
 * instruction-aware bridge reads the caption instruction, as when it captions.
 *
 * @param matched LM loss per caption token behind the caption's own image (mean over the batches)
 * @param mismatched the same captions behind another image
 */
public record ImageConditioning(double matched, double mismatched) {

    /**
     * Progress units per image whose captions are scored behind two prompts (measured against a
     * generated answer's unit: {@link Stage2Evaluation#CAPTION_UNITS}).
     */
    static final int UNITS = 9;

    private static final String NOTE = "the image's worth to the LM";

    /** Nats per token the image is worth: {@code mismatched - matched} (0 = the image is ignored). */
    public double gain() {
        return mismatched - matched;
    }

    /**
     * Every caption of {@code images}, in batches of {@code batch} images, without gradients. The
     * bridge runs once per image; each caption then reads its own image's soft prompt and, for the
     * mismatched loss, the next image's.
     */
    public static ImageConditioning measure(Stage2Model model, ImageFeatures features, LanguageText text,
                                     Instructions instructions, List<Sample> images, int batch, NDManager root) {
        return measure(model, features, text, instructions, images, batch, root, CountedProgress.silent());
    }

    /** The work of {@link #measure} in progress units. */
    public static long work(List<Sample> images) {
        return UNITS * (long) images.size();
    }

    /** As the method above, telling {@code progress} of the images done, batch by batch. */
    public static ImageConditioning measure(Stage2Model model, ImageFeatures features, LanguageText text,
                                     Instructions instructions, List<Sample> images, int batch, NDManager root,
                                     CountedProgress progress) {
        double matched = 0;
        double mismatched = 0;
        int batches = 0;
        progress.advance(0, NOTE);
        try (GradMode ignored = GradMode.off()) {
            for (int from = 0; from + 1 < images.size(); from += batch) {
                // at least two images per chunk (the loop condition), so "the next image" is another one
                List<Sample> chunk = images.subList(from, Math.min(images.size(), from + batch));
                List<Long> own = new ArrayList<>(); // per caption: its image's row in the chunk
                List<Long> next = new ArrayList<>(); // and the next image's row
                List<String> captions = new ArrayList<>();
                for (int j = 0; j < chunk.size(); j++) {
                    for (String caption : chunk.get(j).captions()) {
                        own.add((long) j);
                        next.add((long) ((j + 1) % chunk.size()));
                        captions.add(caption);
                    }
                }
                try (NDManager scope = root.newSubManager()) {
                    int[] ids = chunk.stream().mapToInt(Sample::id).toArray();
                    TextTensors instruction =
                            instructions.collate(scope, Collections.nCopies(chunk.size(), Instructions.of(null)));
                    Bridge.VisualPrompt prompts = model.bridge().forward(scope, features.get(scope, ids), instruction, false);
                    TextTensors t = text.collate(scope, captions);
                    matched += loss(model, scope, prompts, own, t);
                    mismatched += loss(model, scope, prompts, next, t);
                }
                batches++;
                progress.advance(UNITS * (long) chunk.size(), NOTE);
            }
        }
        return new ImageConditioning(matched / Math.max(1, batches), mismatched / Math.max(1, batches));
    }

    /** The captions' LM loss behind the soft prompts of the chunk's rows {@code rows} (one per caption). */
    private static double loss(Stage2Model model, NDManager scope, Bridge.VisualPrompt prompts, List<Long> rows,
                               TextTensors t) {
        NDArray index = scope.create(rows.stream().mapToLong(Long::longValue).toArray());
        Bridge.VisualPrompt prompt = new Bridge.VisualPrompt(prompts.embeds().get(index), prompts.hidden().get(index));
        return model.languageModelling(scope, prompt, t.ids(), t.mask(), LanguageText.PROMPT_LENGTH, false)
                .loss().getFloat();
    }
}
