package org.qformerlab.kernel.magic;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qformerlab.blip2.data.QuestionType;
import org.qformerlab.blip2.eval.VqaAccuracy;
import org.qformerlab.blip2.experiment.report.Stage2Result;
import org.qformerlab.blip2.report.Tables;
import tech.tablesaw.api.Table;

/**
 * {@code %eval vqa [RUN_DIR] [--examples N]}: zero-shot VQA of a stage-2 run. Each test question is
 * asked with BLIP-2's prompt "Question: {q} Answer:" after the soft prompt and scored by exact
 * match, per question type, beside the majority baseline (always answering the type's most frequent
 * training answer): a model that does not look at the image cannot beat that baseline. The last
 * column asks the frozen LM the same questions behind the image's true captions.
 * {@code --examples N} draws the first N test images with their questions and answers.
 */
final class VqaEval extends Stage2EvalTask {

    @Override
    public String name() {
        return "vqa";
    }

    @Override
    public String summary() {
        return "zero-shot VQA accuracy per question type beside the majority baseline, of the last %train stage2";
    }

    @Override
    int defaultExamples() {
        return 0;
    }

    /**
     * Rows: question types, then all; columns: accuracy, majority baseline (and answer, in memory),
     * and what the same frozen LM answers behind the image's true captions instead of the soft
     * prompt (a type it cannot answer even then is limited by the LM, not the bridge).
     */
    @Override
    Table table(Stage2Runs run) {
        VqaAccuracy vqa = run.result() == null ? null : run.result().vqa();
        boolean reading = run.metrics().containsKey("vqa_reading"); // run folders from before it was measured lack it
        List<Map<String, Object>> rows = new ArrayList<>();
        for (QuestionType type : QuestionType.values()) {
            String name = type.name().toLowerCase(Locale.ROOT);
            if (!run.metrics().containsKey("vqa_" + name)) {
                continue;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("question type", name);
            row.put("questions", vqa == null ? "" : String.valueOf(vqa.count(type)));
            row.put("accuracy", run.rounded("vqa_" + name));
            row.put("majority baseline", run.rounded("vqa_" + name + "_majority"));
            row.put("majority answer", vqa == null ? "" : vqa.majority().getOrDefault(type, ""));
            if (reading) {
                row.put("LM reading the true captions", run.rounded("vqa_reading_" + name));
            }
            rows.add(row);
        }
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("question type", "all");
        all.put("questions", vqa == null ? "" : String.valueOf(vqa.types().stream().mapToInt(vqa::count).sum()));
        all.put("accuracy", run.rounded("vqa"));
        all.put("majority baseline", run.rounded("vqa_majority"));
        all.put("majority answer", "(per type)");
        if (reading) {
            all.put("LM reading the true captions", run.rounded("vqa_reading"));
        }
        rows.add(all);
        return Tables.fromRows("zero-shot VQA (exact match), test images, " + run.from(), rows);
    }

    /** Up to three questions, each with the generated answer and the true one. */
    @Override
    String describe(Stage2Result.Example e) {
        List<String> lines = new ArrayList<>();
        for (int q = 0; q < Math.min(3, e.questions().size()); q++) {
            lines.add(e.questions().get(q).question() + " " + e.answers().get(q) + " (true: "
                    + e.questions().get(q).answer() + ")");
        }
        return String.join(" / ", lines);
    }

    @Override
    int captionLines() {
        return 10;
    }
}
