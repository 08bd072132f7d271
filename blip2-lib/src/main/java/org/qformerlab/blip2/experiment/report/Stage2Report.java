package org.qformerlab.blip2.experiment.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qformerlab.blip2.bridge.BridgeConfig;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.data.Instructions;
import org.qformerlab.blip2.data.QuestionType;
import org.qformerlab.blip2.eval.HeadroomScore;
import org.qformerlab.blip2.eval.McNemar;
import org.qformerlab.blip2.eval.VqaAccuracy;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.experiment.config.Stage2Config;
import org.qformerlab.blip2.experiment.config.Stage2Init;
import org.qformerlab.blip2.experiment.evaluation.Stage2Evaluation;
import org.qformerlab.blip2.llm.LanguageFamily;
import org.qformerlab.blip2.report.Charts;
import org.qformerlab.blip2.report.ImageGrid;
import org.qformerlab.blip2.report.MarkdownReport;
import org.qformerlab.blip2.report.Tables;
import org.qformerlab.blip2.train.MetricsLog;

/**
 * Stage 2 in a report: captioning (CIDEr-D, BLEU-4, attribute accuracy), VQA per question type
 * against the majority answer, the LM loss curve, and sample images with their generated captions
 * and answers beside the references. One run gets {@code report.md} of its own ({@link #write});
 * several runs (stage-1 init against scratch) become one section of a larger report
 * ({@link #section}).
 */
public final class Stage2Report {

    private static final int SMOOTHING = 20;
    /** How a run is named in tables and sentences, by where its Q-Former started ({@link #label}). */
    private static final String FROM_STAGE1 = "stage 1";
    private static final String FROM_SCRATCH = "scratch";
    private static final String VAL_CIDER = Stage2Evaluation.VALIDATION + "cider";
    private static final String VAL_VQA = Stage2Evaluation.VALIDATION + "vqa";
    private static final String VAL_VQA_MAJORITY = Stage2Evaluation.VALIDATION + "vqa_majority";

    private Stage2Report() {}

    /** {@code stage 2 (STAGE1, qformer): CIDEr-D 0.85 BLEU-4 0.31 | attributes ... | VQA 0.52 (majority 0.41)} */
    public static String summaryLine(Stage2Result r) {
        return String.format(Locale.ROOT,
                "stage 2 (%s, %s): CIDEr-D %.3f BLEU-4 %.3f | attribute accuracy colour %s shape %s relation %s"
                        + " | VQA %.3f (majority baseline %.3f) | LM loss %.3f -> %.3f"
                        + " | caption loss behind own image %.3f, behind another %.3f (image worth %.3f nats/token)",
                r.init(), r.config().stage2().bridge().type(), r.cider(), r.bleu4(), share(r.attributes().colour()),
                share(r.attributes().shape()), share(r.attributes().relation()), r.vqa().overall(), r.vqa().majorityOverall(),
                r.losses().first().get("total"), r.losses().last().get("total"),
                r.conditioning().matched(), r.conditioning().mismatched(), r.conditioning().gain());
    }

    /** An attribute accuracy, or "n/a" when no caption named that kind of attribute (0 of 0). */
    private static String share(double accuracy) {
        return Double.isNaN(accuracy) ? "n/a (none named)" : String.format(Locale.ROOT, "%.3f", accuracy);
    }

    /** Writes {@code report.md} of one stage-2 run into its run folder. */
    public static Path write(Stage2Result result) {
        MarkdownReport report = new MarkdownReport("BLIP-2 stage 2 on the shapes world: " + result.runDir().getFileName());
        section(report, List.of(result), 2);
        report.heading(2, "Files");
        report.bullets("`config.json`: the config as run", "`metrics.jsonl`: one JSON line per step and a final"
                + " evaluation row", "`results.json`: the numbers of this report", "`checkpoints/`: the stage-2 model");
        try {
            return report.write(result.runDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report in " + result.runDir() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Which question types the run answers better than the majority answer by more than sampling
     * noise ({@link VqaAccuracy#clearlyAboveMajority}), and which not, with their accuracies.
     */
    static String vqaSentence(Stage2Result r) {
        VqaAccuracy vqa = r.vqa();
        List<String> above = new ArrayList<>();
        List<String> not = new ArrayList<>();
        for (QuestionType type : vqa.types()) {
            String name = type.name().toLowerCase(Locale.ROOT);
            if (vqa.clearlyAboveMajority(type)) {
                above.add(name);
            } else {
                not.add(String.format(Locale.ROOT, "%s (%.3f against %.3f; the LM reading the image's true captions: %.3f)",
                        name, vqa.accuracy(type), vqa.majorityAccuracy(type), r.reading().accuracy(type)));
            }
        }
        return String.format(Locale.ROOT, "With the Q-Former from %s, the answers beat the majority answer by more than"
                        + " twice its sampling error (2 sqrt(p (1 - p) / n)) for %s; %s. The last column asks the same"
                        + " frozen LM the same questions behind the image's reference captions instead of the soft"
                        + " prompt: a type it cannot answer even then is held back by the LM, not by the bridge.",
                label(r), above.isEmpty() ? "no question type" : String.join(", ", above),
                not.isEmpty() ? "for every question type" : "not for " + String.join(", ", not));
    }

    /**
     * How the normalised columns are computed ({@link HeadroomScore}) and which types are left out of
     * their mean, and why.
     */
    static String headroomSentence(Stage2Result r) {
        HeadroomScore h = r.headroom();
        StringBuilder sb = new StringBuilder("Normalised: (accuracy - majority) / (reading - majority) per type, 0 for"
                + " the majority answer, 1 for as much as the LM reads from the true captions; \"all\" is the mean over"
                + " the types kept, each weighing the same; pooled (the gains over the majority summed, over the"
                + " headrooms summed: steadier where one type has little headroom)");
        sb.append(Double.isNaN(h.pooled()) ? " is undefined: no type is kept." : String.format(Locale.ROOT, " is %.3f.", h.pooled()));
        h.excluded().forEach((type, why) -> sb.append(" Left out: ").append(type.name().toLowerCase(Locale.ROOT))
                .append(", because ").append(why).append('.'));
        if (r.readingStated() != null && r.readingStated().count(QuestionType.RELATION) > 0) {
            sb.append(String.format(Locale.ROOT, " On the %d relation questions that the captions settle, the LM"
                    + " reading them answers %.3f.", r.readingStated().count(QuestionType.RELATION),
                    r.readingStated().accuracy(QuestionType.RELATION)));
        }
        return sb.toString();
    }

    /**
     * The mean LM loss of each run over the first and over the last tenth of the steps: where a
     * head start from stage 1 shows, and whether it lasts.
     *
     * @param series per run, the (step, loss) series of its training log
     */
    /**
     * With a run from stage 1 and one from scratch that answered the same questions: McNemar's test of
     * the two, question by question (empty otherwise).
     */
    static String questionByQuestionSentence(List<Stage2Result> results) {
        Stage2Result stage1 = null;
        Stage2Result scratch = null;
        for (Stage2Result r : results) {
            if (r.init() == Stage2Init.STAGE1) {
                stage1 = r;
            } else if (r.init() == Stage2Init.SCRATCH) {
                scratch = r;
            }
        }
        if (stage1 == null || scratch == null) {
            return "";
        }
        boolean[] fromStage1 = stage1.vqa().answeredRight();
        boolean[] fromScratch = scratch.vqa().answeredRight();
        if (fromStage1.length == 0 || fromStage1.length != fromScratch.length) {
            return "";
        }
        McNemar m = McNemar.of(fromScratch, fromStage1, 1);
        return String.format(Locale.ROOT, "Question by question (the same %d questions): from %s the model answered %d"
                + " right that the one from %s got wrong, and %d the other way round; McNemar's exact p = %s, %s.",
                fromStage1.length, FROM_STAGE1, m.gained(), FROM_SCRATCH, m.lost(), Tables.formatNumber(m.p()),
                m.p() < 0.05 ? "more than chance would give" : "within what chance would give");
    }

    static String headStartSentence(Map<String, double[][]> series, int steps) {
        int tenth = Math.max(1, steps / 10);
        List<String> first = new ArrayList<>();
        List<String> last = new ArrayList<>();
        series.forEach((run, s) -> {
            first.add(String.format(Locale.ROOT, "%s %.3f", run, meanBetween(s, 1, tenth)));
            last.add(String.format(Locale.ROOT, "%s %.3f", run, meanBetween(s, steps - tenth + 1, steps)));
        });
        return String.format(Locale.ROOT, "Mean LM loss over the first tenth of the steps (1-%d): %s; over the last tenth"
                + " (%d-%d): %s.", tenth, String.join(", ", first), steps - tenth + 1, steps, String.join(", ", last));
    }

    /** Mean of the series' values at steps {@code from..to} (inclusive); NaN when none is logged there. */
    private static double meanBetween(double[][] series, int from, int to) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < series[0].length; i++) {
            if (series[0][i] >= from && series[0][i] <= to) {
                sum += series[1][i];
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /**
     * Adds the stage-2 section for one or more runs of the same budget (e.g. from stage 1 and from
     * scratch) to {@code report}, headings starting at {@code level}.
     */
    public static void section(MarkdownReport report, List<Stage2Result> results, int level) {
        Stage2Result first = results.get(0);
        Stage2Config s2 = first.config().stage2();
        report.heading(level, "Stage 2: generative learning from a frozen language model");
        report.paragraph(String.format(Locale.ROOT,
                "%s go through `%s` into a frozen %s (%d layers, hidden %d),"
                        + " pretrained on text alone (%s). Only the bridge trains (%,d parameters),"
                        + " for %d steps of batch %d at %.1e, with the LM loss on the text after the soft prompt (%s)."
                        + " Evaluation: %d test images, greedy decoding; VQA is asked with the prompt"
                        + " \"Question: {q} Answer:\" and scored by exact match, beside the answer most frequent"
                        + " in training for each question type.",
                bridgeLine(first.config()), s2.language().family() == LanguageFamily.T5 ? "t5_proj" : "opt_proj",
                s2.language().family() == LanguageFamily.T5 ? "T5 (encoder-decoder; its encoder reads the soft prompt)"
                        : "OPT", s2.language().numLayers(), s2.language().hiddenSize(),
                languageLine(first.language()), first.parameters(), s2.train().steps(), s2.train().batchSize(), s2.train().learningRate(),
                s2.qaFraction() == 0 ? "captions only, so VQA is zero-shot"
                        : String.format(Locale.ROOT, "captions and %.0f%% QA strings", 100 * s2.qaFraction()),
                first.captionImages()));

        report.heading(level + 1, "Captioning");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Stage2Result r : results) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("Q-Former from", label(r));
            row.put("CIDEr-D", r.cider());
            row.put("BLEU-4", r.bleu4());
            row.put("colour correct", r.attributes().colour());
            row.put("shape correct", r.attributes().shape());
            row.put("relation correct", r.attributes().relation());
            row.put("LM loss first", r.losses().first().get("total"));
            row.put("LM loss last", r.losses().last().get("total"));
            row.put("image worth (nats/token)", r.conditioning().gain());
            row.put("train s", r.seconds().get("train"));
            rows.add(row);
        }
        report.table(Tables.fromRows(rows));
        report.paragraph("Attribute accuracy checks what a caption says against the scene: a colour word is right when"
                + " an object of that colour (and of the shape it modifies) is there, a shape word when that shape is"
                + " there, a relation when two named objects stand in it. The image's worth is the test captions'"
                + " LM loss behind another image's soft prompt minus behind their own: 0 means the LM ignores the"
                + " image and writes from its text prior.");

        report.heading(level + 1, "Zero-shot VQA (exact match)");
        List<Map<String, Object>> vqaRows = new ArrayList<>();
        for (QuestionType type : first.vqa().types()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("question type", type.name().toLowerCase(Locale.ROOT));
            row.put("questions", first.vqa().count(type));
            for (Stage2Result r : results) {
                row.put(label(r), r.vqa().accuracy(type));
            }
            row.put("majority answer", first.vqa().majority().get(type));
            row.put("majority baseline", first.vqa().majorityAccuracy(type));
            row.put("LM reading the true captions", first.reading().accuracy(type));
            for (Stage2Result r : results) {
                Double h = r.headroom().normalised().get(type);
                row.put("normalised, " + label(r), h); // empty when left out (the sentence below says why)
            }
            vqaRows.add(row);
        }
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("question type", "all");
        all.put("questions", first.vqa().types().stream().mapToInt(first.vqa()::count).sum());
        for (Stage2Result r : results) {
            all.put(label(r), r.vqa().overall());
        }
        all.put("majority answer", "(per type)");
        all.put("majority baseline", first.vqa().majorityOverall());
        all.put("LM reading the true captions", first.reading().overall());
        for (Stage2Result r : results) {
            all.put("normalised, " + label(r), r.headroom().aggregate());
        }
        vqaRows.add(all);
        report.table(Tables.fromRows(vqaRows));
        report.paragraph(headroomSentence(first));
        report.paragraph(vqaSentence(first));
        String pair = questionByQuestionSentence(results);
        if (!pair.isEmpty()) {
            report.paragraph(pair);
        }

        Map<String, double[][]> raw = new LinkedHashMap<>();
        Map<String, double[][]> curves = new LinkedHashMap<>();
        Map<String, List<Map<String, Object>>> validations = new LinkedHashMap<>();
        for (Stage2Result r : results) {
            List<Map<String, Object>> log = readLog(r);
            double[][] series = MetricsLog.series(log.stream().filter(x -> !x.containsKey("eval")).toList(), "step", "total");
            raw.put(label(r), series);
            curves.put(label(r), Stage1Report.smooth(series, SMOOTHING));
            List<Map<String, Object>> validation = log.stream().filter(x -> x.containsKey(VAL_CIDER)).toList();
            if (!validation.isEmpty()) {
                validations.put(label(r), validation);
            }
        }
        report.chart("stage-2 LM loss", Charts.lossCurves("stage-2 LM loss (moving average)", curves));
        report.paragraph(headStartSentence(raw, s2.train().steps()));
        if (!validations.isEmpty()) {
            validationSection(report, validations, level + 1);
        }
        List<String> folders = new ArrayList<>();
        for (Stage2Result r : results) {
            folders.add("`" + r.runDir().getFileName() + "/`: the stage-2 run with the Q-Former from " + label(r)
                    + " (config, metrics.jsonl, checkpoints, results.json, report.md)");
        }
        report.bullets(folders);

        for (Stage2Result r : results) {
            if (r.examples().isEmpty()) {
                continue;
            }
            report.heading(level + 1, "Generated captions and answers (" + label(r) + ")");
            List<BufferedImage> images = new ArrayList<>();
            List<String> captions = new ArrayList<>();
            List<Map<String, Object>> exampleRows = new ArrayList<>();
            for (int i = 0; i < r.examples().size(); i++) {
                Stage2Result.Example e = r.examples().get(i);
                images.add(e.sample().image());
                captions.add((i + 1) + ". " + e.caption());
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("image", i + 1);
                row.put("generated caption", e.caption());
                row.put("a reference caption", e.sample().captions().get(0));
                StringBuilder qa = new StringBuilder();
                for (int q = 0; q < e.questions().size(); q++) {
                    var question = e.questions().get(q);
                    String answer = e.answers().get(q);
                    qa.append(q == 0 ? "" : "; ").append(question.question()).append(" ").append(answer.isEmpty() ? "(nothing)" : answer)
                            .append(answer.trim().equals(question.answer()) ? " (right)" : " (truth: " + question.answer() + ")");
                }
                row.put("questions: generated answer", qa.toString());
                exampleRows.add(row);
            }
            report.image("generated captions, " + label(r),
                    ImageGrid.of(images).captions(captions).columns(4).cellSize(128).render());
            report.table(Tables.fromRows(exampleRows));
        }
    }

    /**
     * Stage 2's learning curve: validation CIDEr-D and zero-shot VQA every {@code train.evalEvery}
     * steps, one line per run (BLIP-2's figure 5 compares stage 2 with and without stage 1 this
     * way), a table of the same numbers, and with a stage-1 and a scratch run the comparison at
     * equal steps ({@link #equalStepsSentence}).
     *
     * @param validations per run label, its validation rows of {@code metrics.jsonl}
     */
    private static void validationSection(MarkdownReport report, Map<String, List<Map<String, Object>>> validations,
                                          int level) {
        report.heading(level, "Validation during training");
        Map<String, double[][]> cider = new LinkedHashMap<>();
        Map<String, double[][]> vqa = new LinkedHashMap<>();
        validations.forEach((run, rows) -> {
            cider.put(run, MetricsLog.series(rows, "step", VAL_CIDER));
            vqa.put(run, MetricsLog.series(rows, "step", VAL_VQA));
        });
        List<Map<String, Object>> first = validations.values().iterator().next();
        Map<String, double[][]> vqaWithBaseline = new LinkedHashMap<>(vqa);
        vqaWithBaseline.put("majority baseline", MetricsLog.series(first, "step", VAL_VQA_MAJORITY));
        var ciderChart = Charts.lossCurves("validation CIDEr-D during stage 2", cider);
        ciderChart.setYAxisTitle("CIDEr-D");
        report.chart("validation CIDEr-D", ciderChart);
        var vqaChart = Charts.lossCurves("validation zero-shot VQA during stage 2", vqaWithBaseline);
        vqaChart.setYAxisTitle("VQA exact match");
        report.chart("validation VQA", vqaChart);

        List<Map<String, Object>> rows = new ArrayList<>();
        double[] steps = cider.values().iterator().next()[0];
        for (int i = 0; i < steps.length; i++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("step", (long) steps[i]);
            for (String run : validations.keySet()) {
                row.put("CIDEr-D " + run, valueAt(cider.get(run), steps[i]));
            }
            for (String run : validations.keySet()) {
                row.put("VQA " + run, valueAt(vqa.get(run), steps[i]));
            }
            rows.add(row);
        }
        report.table(Tables.fromRows(rows));
        String sentence = "The validation images are captioned and asked their questions " + (steps.length > 1
                ? "every " + (long) (steps[1] - steps[0]) + " steps." : "at step " + (long) steps[0] + ".");
        if (cider.containsKey(FROM_STAGE1) && cider.containsKey(FROM_SCRATCH)) {
            sentence += " " + equalStepsSentence("CIDEr-D", cider.get(FROM_STAGE1), cider.get(FROM_SCRATCH)) + " "
                    + equalStepsSentence("VQA", vqa.get(FROM_STAGE1), vqa.get(FROM_SCRATCH));
        }
        report.paragraph(sentence);
    }

    /**
     * How a metric of the stage-1 run compares with the scratch run's at the steps both measured:
     * at how many it is ahead, level and behind, the mean difference, and the first and last of
     * those steps.
     *
     * @param stage1 the stage-1 run's {@code {steps, values}}
     * @param scratch the scratch run's
     */
    static String equalStepsSentence(String metric, double[][] stage1, double[][] scratch) {
        List<double[]> pairs = new ArrayList<>(); // {step, stage 1, scratch}
        for (int i = 0; i < stage1[0].length; i++) {
            double other = valueAt(scratch, stage1[0][i]);
            if (!Double.isNaN(other) && !Double.isNaN(stage1[1][i])) {
                pairs.add(new double[] {stage1[0][i], stage1[1][i], other});
            }
        }
        if (pairs.isEmpty()) {
            return metric + ": the two runs share no validation step.";
        }
        int ahead = 0;
        int behind = 0;
        double difference = 0;
        for (double[] p : pairs) {
            ahead += p[1] > p[2] ? 1 : 0;
            behind += p[1] < p[2] ? 1 : 0;
            difference += p[1] - p[2];
        }
        double[] early = pairs.get(0);
        double[] late = pairs.get(pairs.size() - 1);
        return String.format(Locale.ROOT, "%s: stage 1 ahead of scratch at %d, level at %d, behind at %d of %d equal"
                        + " steps (mean difference %+.3f); at step %d %.3f against %.3f, at step %d %.3f against %.3f.",
                metric, ahead, pairs.size() - ahead - behind, behind, pairs.size(), difference / pairs.size(),
                (long) early[0], early[1], early[2], (long) late[0], late[1], late[2]);
    }

    /** The series' value at {@code step}, or NaN where it has none. */
    private static double valueAt(double[][] series, double step) {
        for (int i = 0; i < series[0].length; i++) {
            if (series[0][i] == step) {
                return series[1][i];
            }
        }
        return Double.NaN;
    }

    private static List<Map<String, Object>> readLog(Stage2Result r) {
        Path file = r.runDir().resolve("metrics.jsonl");
        try {
            return MetricsLog.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** What the bridge hands the language model, as the start of a sentence. */
    static String bridgeLine(ExperimentConfig c) {
        BridgeConfig b = c.stage2().bridge();
        QFormerConfig q = c.qformer();
        return switch (b.type()) {
            case QFORMER -> String.format(Locale.ROOT, "The Q-Former's %d query outputs", q.numQueries());
            case INSTRUCTION_QFORMER -> String.format(Locale.ROOT, "The instruction-aware Q-Former's %d query outputs"
                    + " (queries and instruction attend to each other; the instruction is \"%s\" for captions and the"
                    + " question prompt for VQA)", q.numQueries(), Instructions.CAPTION);
            case PERCEIVER -> String.format(Locale.ROOT, "A Perceiver Resampler's %d latents (%d layers, %s)",
                    b.latents(q), b.layers(), widthNote(b, q));
            case LINEAR -> b.parameterBudget() == null
                    ? "All patch features (after a LayerNorm; one soft-prompt position each)"
                    : String.format(Locale.ROOT, "All patch features (after a LayerNorm; one soft-prompt position each;"
                            + " LLaVA-1.5's MLP sized to %,d trainable parameters)", b.parameterBudget());
            case ATTENTIONAL_POOLING -> String.format(Locale.ROOT,
                    "Attentional pooling's %d queries (one cross-attention, %s)", b.latents(q), widthNote(b, q));
        };
    }

    private static String widthNote(BridgeConfig b, QFormerConfig q) {
        return b.parameterBudget() == null ? String.format(Locale.ROOT, "width %d", q.hiddenSize())
                : String.format(Locale.ROOT, "width sized to %,d trainable parameters", b.parameterBudget());
    }

    private static String label(Stage2Result r) {
        return r.init() == Stage2Init.STAGE1 ? FROM_STAGE1 : FROM_SCRATCH;
    }

    private static String languageLine(Map<String, Object> language) {
        Object seconds = language.get("seconds");
        Object last = language.get("lastLoss");
        Object vocab = language.get("vocabSize");
        if (seconds == null || last == null || vocab == null) {
            return "cached";
        }
        return String.format(Locale.ROOT, "%.0f s, final next-token loss %.3f against ln %d = %.3f for a uniform guess",
                ((Number) seconds).doubleValue(), ((Number) last).doubleValue(), ((Number) vocab).intValue(),
                Math.log(((Number) vocab).doubleValue()));
    }
}
