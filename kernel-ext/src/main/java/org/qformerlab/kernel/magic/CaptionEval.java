package org.qformerlab.kernel.magic;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.experiment.report.Stage2Result;
import org.qformerlab.blip2.report.Tables;
import tech.tablesaw.api.Table;

/**
 * {@code %eval caption [RUN_DIR] [--examples N]}: captioning of a stage-2 run as BLIP-2 reports it,
 * corpus BLEU-4 and CIDEr-D of the greedy captions of the test images against their reference
 * captions, plus what the shapes world can check and COCO cannot: whether the colours, shapes and
 * relations a caption names hold in the scene (attribute accuracy). Then the first N test images
 * (default 4) with the generated caption above a reference one.
 */
final class CaptionEval extends Stage2EvalTask {

    @Override
    public String name() {
        return "caption";
    }

    @Override
    public String summary() {
        return "BLEU-4, CIDEr-D and attribute accuracy of the last %train stage2 (or a run folder), with samples";
    }

    @Override
    int defaultExamples() {
        return 4;
    }

    /** One row: the captioning metrics and the LM loss at the start and the end. */
    @Override
    Table table(Stage2Runs run) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("Q-Former from", run.label().toLowerCase(java.util.Locale.ROOT));
        row.put("BLEU-4", run.rounded("bleu4"));
        row.put("CIDEr-D", run.rounded("cider"));
        row.put("colour correct", run.rounded("attr_colour"));
        row.put("shape correct", run.rounded("attr_shape"));
        row.put("relation correct", run.rounded("attr_relation"));
        row.put("LM loss first", run.rounded("loss_lm_first"));
        row.put("LM loss last", run.rounded("loss_lm_last"));
        return Tables.fromRows("captioning, test images, " + run.from(), List.of(row));
    }

    /** The generated caption and the first reference caption. */
    @Override
    String describe(Stage2Result.Example e) {
        return "generated: " + e.caption() + " / reference: " + e.sample().captions().get(0);
    }

    @Override
    int captionLines() {
        return 8;
    }
}
