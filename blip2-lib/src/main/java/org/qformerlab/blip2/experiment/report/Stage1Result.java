package org.qformerlab.blip2.experiment.report;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.experiment.evaluation.EncoderProbe;
import org.qformerlab.blip2.experiment.evaluation.SplitBinding;
import org.qformerlab.blip2.experiment.evaluation.SplitRetrieval;
import org.qformerlab.blip2.objectives.ItmAttention;
import org.qformerlab.blip2.train.Trainer;

/**
 * What a stage-1 experiment produced.
 *
 * @param runDir the run folder
 * @param report its {@code report.md}
 * @param config the config as run (Q-Former widths filled in)
 * @param training the trainer's result (steps, final losses, validations, speed, last checkpoint)
 * @param losses each loss term at the start and the end of training
 * @param retrieval final retrieval results per split, in {@code eval.splits} order
 * @param seconds wall-clock seconds per phase (data, encoder, train, {@code eval <split>} for each
 *     split's retrieval, itm attention, binding)
 * @param parameters trainable parameters of the Q-Former
 * @param itmAttention how the trained ITM pass reads the text, on the first evaluated split's
 *     first pairs; null when ITM is not trained
 * @param binding the binding benchmark on the first evaluated split; null when {@code eval.binding} is off
 * @param encoderProbe what a linear probe reads from the frozen image features (test split), beside
 *     pixel patches'; null when not measured
 */
public record Stage1Result(
        Path runDir, Path report, ExperimentConfig config, Trainer.Result training, LossSummary losses,
        Map<Split, SplitRetrieval> retrieval, Map<String, Double> seconds, long parameters,
        ItmAttention itmAttention, SplitBinding binding, EncoderProbe encoderProbe) {

    /** The flat summary written to {@code results.json}. */
    public Map<String, Object> summary() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("steps", training.steps());
        out.put("resumed", training.resumed());
        out.put("steps_per_s", training.stepsPerSecond());
        out.put("parameters", parameters);
        out.put("seconds", seconds);
        out.put("losses_first", losses.first());
        out.put("losses_last", losses.last());
        out.put("loss_window", losses.window());
        out.put("rerank_k", config.eval().rerankK());
        out.put("rerank_images", config.eval().rerankImages());
        Map<String, Object> r = new LinkedHashMap<>();
        retrieval.forEach((split, s) -> r.put(split.name().toLowerCase(), s.metrics("")));
        out.put("retrieval", r);
        if (encoderProbe != null) {
            out.put("encoder_probe", encoderProbe.summary());
        }
        if (itmAttention != null) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("text_share", itmAttention.textShare());
            a.put("largest_weight", itmAttention.largestWeight());
            a.put("uniform_text_share", itmAttention.uniformTextShare());
            a.put("uniform_largest_weight", itmAttention.uniformLargestWeight());
            a.put("match_gap", itmAttention.matchGap());
            out.put("itm_attention", a);
        }
        if (binding != null) {
            out.put("binding", binding.summary());
        }
        return out;
    }
}
