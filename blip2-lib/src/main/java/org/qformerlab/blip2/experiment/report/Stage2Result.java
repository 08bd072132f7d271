package org.qformerlab.blip2.experiment.report;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qformerlab.blip2.data.QA;
import org.qformerlab.blip2.data.QuestionType;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.eval.AttributeAccuracy;
import org.qformerlab.blip2.eval.HeadroomScore;
import org.qformerlab.blip2.eval.VqaAccuracy;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.experiment.config.Stage2Init;
import org.qformerlab.blip2.experiment.evaluation.ImageConditioning;
import org.qformerlab.blip2.train.Trainer;

/**
 * What a stage-2 experiment produced.
 *
 * @param runDir the run folder
 * @param config the config as run (Q-Former widths filled in)
 * @param stage1Checkpoint the stage-1 checkpoint the Q-Former started from, or null (SCRATCH)
 * @param training the trainer's result
 * @param losses the LM loss ({@code total}) at the start and the end of training
 * @param captionImages test images captioned
 * @param bleu4 corpus BLEU-4 of the generated captions against each image's reference captions
 * @param cider CIDEr-D of the same
 * @param attributes whether what the captions say holds in the scene
 * @param vqa VQA exact match per question type, and the majority baseline
 * @param reading the same questions answered by the frozen LM behind the image's reference
 *     captions instead of the soft prompt ({@link org.qformerlab.blip2.experiment.evaluation.CaptionReading})
 * @param examples a few images with their generated caption and answers
 * @param language the frozen LM's cache record (pretraining seconds and losses)
 * @param seconds wall-clock seconds per phase
 * @param parameters trainable parameters: the bridge (the Q-Former in use, or the other bridge) and its projection
 * @param readingStated the frozen LM behind the captions on the questions whose answer they state
 *     (relation questions they settle; {@link org.qformerlab.blip2.experiment.evaluation.CaptionReading.Reading#stated()})
 */
public record Stage2Result(
        Path runDir, ExperimentConfig config, Path stage1Checkpoint, Trainer.Result training, LossSummary losses,
        int captionImages, double bleu4, double cider, AttributeAccuracy attributes, VqaAccuracy vqa, VqaAccuracy reading,
        List<Example> examples, Map<String, Object> language, Map<String, Double> seconds, long parameters,
        ImageConditioning conditioning, VqaAccuracy readingStated) {

    /** One evaluated image: its generated caption, and its questions with the generated answers. */
    public record Example(Sample sample, String caption, List<QA> questions, List<String> answers) {}

    /** Where the Q-Former started. */
    public Stage2Init init() {
        return config.stage2().init();
    }

    /** The final numbers by name, as ablations and {@code results.json} report them. */
    public Map<String, Double> metrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("cider", cider);
        out.put("bleu4", bleu4);
        out.put("attr_colour", attributes.colour());
        out.put("attr_shape", attributes.shape());
        out.put("attr_relation", attributes.relation());
        vqa.putAccuracies(out, "vqa");
        out.put("vqa_majority", vqa.majorityOverall());
        for (QuestionType t : vqa.types()) {
            out.put("vqa_" + t.name().toLowerCase(Locale.ROOT) + "_majority", vqa.majorityAccuracy(t));
        }
        reading.putAccuracies(out, "vqa_reading");
        if (readingStated != null && readingStated.count(QuestionType.RELATION) > 0) {
            out.put("vqa_reading_relation_stated", readingStated.accuracy(QuestionType.RELATION));
        }
        HeadroomScore headroom = headroom();
        out.put("vqa_headroom", headroom.aggregate());
        out.put("vqa_headroom_pooled", headroom.pooled());
        headroom.normalised().forEach((t, v) -> out.put("vqa_" + t.name().toLowerCase(Locale.ROOT) + "_headroom", v));
        out.put("loss_lm_first", losses.first().get("total"));
        out.put("loss_lm_last", losses.last().get("total"));
        out.put("lm_loss_matched", conditioning.matched());
        out.put("lm_loss_mismatched", conditioning.mismatched());
        out.put("image_gain", conditioning.gain());
        out.put("trainable_params", (double) parameters);
        out.put("steps_per_s", training.stepsPerSecond());
        return out;
    }

    /** VQA per type normalised by the headroom between the majority answer and the LM's reading ceiling. */
    public HeadroomScore headroom() {
        return HeadroomScore.of(vqa, reading, readingStated);
    }

    /** The summary written to {@code results.json}. */
    public Map<String, Object> summary() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("init", init().name());
        out.put("bridge", config.stage2().bridge().type().id());
        out.put("stage1_checkpoint", stage1Checkpoint == null ? null : stage1Checkpoint.toString());
        out.put("steps", training.steps());
        out.put("caption_images", captionImages);
        out.put("seconds", seconds);
        out.put("language_model", language);
        out.put("metrics", metrics());
        return out;
    }
}
