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
import org.qformerlab.blip2.data.EvaluationSet;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.eval.McNemar;
import org.qformerlab.blip2.eval.Recall;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.experiment.evaluation.EncoderProbe;
import org.qformerlab.blip2.experiment.evaluation.SplitBinding;
import org.qformerlab.blip2.experiment.evaluation.SplitRetrieval;
import org.qformerlab.blip2.objectives.ItmAttention;
import org.qformerlab.blip2.report.Charts;
import org.qformerlab.blip2.report.ImageGrid;
import org.qformerlab.blip2.report.MarkdownReport;
import org.qformerlab.blip2.report.Tables;
import org.qformerlab.blip2.train.MetricsLog;

/**
 * The run folder's {@code report.md}: what was run, retrieval against chance, ITC alone against
 * ITC + ITM re-ranking, the loss curve of every term, validation during training and a few
 * retrieved examples. Figures are PNG files beside it; everything is written atomically.
 */
public final class Stage1Report {

    /** Steps in the moving average of the loss curves (single steps are noisy). */
    private static final int SMOOTHING = 20;

    /** ITM's loss when it predicts the 1:2 positive:negative prior for every pair: H(1/3). */
    static final double ITM_PRIOR = -(Math.log(1 / 3.0) / 3 + 2 * Math.log(2 / 3.0) / 3);

    private Stage1Report() {}

    public static Path write(Stage1Result result, ShapesDataset world) {
        return write(result, world, report -> { });
    }

    /** The report with further sections (stage 2 in the quickstart) before its list of files. */
    public static Path write(Stage1Result result, ShapesDataset world, java.util.function.Consumer<MarkdownReport> more) {
        ExperimentConfig c = result.config();
        List<Map<String, Object>> rows;
        try {
            rows = MetricsLog.read(result.runDir().resolve("metrics.jsonl"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        MarkdownReport report = new MarkdownReport("BLIP-2 stage 1 on the shapes world: "
                + result.runDir().getFileName());
        report.paragraph(String.format(Locale.ROOT,
                "A Q-Former (hidden %d, %d layers, %d queries, %,d trainable parameters) trained for %d steps of"
                        + " batch %d with ITC + ITM + ITG (weights %s / %s / %s) on frozen %s image features;"
                        + " %.1f steps/s%s. Retrieval is every image against every caption of a split: ITC ranks"
                        + " the gallery, ITM re-scores each query's top %d%s.",
                c.qformer().hiddenSize(), c.qformer().numLayers(), c.qformer().numQueries(), result.parameters(),
                result.training().steps(), c.train().batchSize(), num(c.objective().itcWeight()),
                num(c.objective().itmWeight()), num(c.objective().itgWeight()),
                c.encoder().type().name().toLowerCase(Locale.ROOT).replace('_', ' '),
                result.training().stepsPerSecond(), result.training().resumed() ? " (resumed)" : "",
                c.eval().rerankK(), c.eval().rerankImages() == 0 ? ""
                        : String.format(Locale.ROOT, " (queries: each split's first %d images and their captions;"
                                + " ITC ranks every query)", c.eval().rerankImages())));
        report.bullets(timings(result.seconds()));

        if (result.encoderProbe() != null) {
            EncoderProbe probe = result.encoderProbe();
            report.heading(2, "Frozen image encoder");
            report.paragraph("What the frozen image features carry before the Q-Former reads them: a linear probe"
                    + " (ridge regression on the class token, when there is one, and the mean patch token of each"
                    + " cell of the 3x3 grid), fitted on the training images and scored on the test images."
                    + " `object_*`: each object's colour, shape and size read at its own cell (accuracy over"
                    + " objects); `positions`: the set of occupied cells; `colours`, `shapes`, `sizes`: the set"
                    + " present; `count`: the number of objects (exact, per image). \"most frequent\" always gives"
                    + " the training split's most frequent answer.");
            report.table(Tables.fromRows(probe.rows()));
        }

        report.heading(2, "Retrieval");
        report.table(Tables.fromRows(recallRows(result)));
        report.paragraph(truthParagraph(result));
        String rerank = rerankVerdict(result);
        if (!rerank.isEmpty()) {
            report.paragraph(rerank);
        }
        for (String direction : List.of("image->text", "text->image")) {
            report.chart("recall " + direction, recallChart(result, direction));
        }

        if (result.binding() != null) {
            bindingSection(report, result.binding());
        }

        report.heading(2, "Losses");
        report.paragraph("Mean of each term over the first and the last " + result.losses().window()
                + " steps; the curves are moving averages over " + SMOOTHING + " steps.");
        report.table(Tables.fromRows(lossRows(result.losses())));
        report.paragraph(String.format(Locale.ROOT, "Reference points: ITC starts at ln(batch) = %.3f (no"
                + " image told apart); ITM at %.3f = H(1/3) has only learned that one pair in three matches"
                + " (one positive, two hard negatives) and is below it only when it reads the pair.",
                Math.log(c.train().batchSize()), ITM_PRIOR));
        Map<String, double[][]> curves = new LinkedHashMap<>();
        for (String term : LossSummary.TERMS) {
            double[][] s = MetricsLog.series(trainingRows(rows), "step", term);
            if (s[0].length > 0) {
                curves.put(term, smooth(s, SMOOTHING));
            }
        }
        report.chart("loss per term", Charts.lossCurves("stage-1 losses (moving average)", curves));

        List<Map<String, Object>> evalRows = rows.stream().filter(r -> r.containsKey("eval")).toList();
        if (!evalRows.isEmpty()) {
            report.heading(2, "Validation during training");
            Map<String, double[][]> val = new LinkedHashMap<>();
            val.put("val image->text R@1 (ITC)", MetricsLog.series(evalRows, "step", "val_i2t_r1_itc"));
            val.put("val text->image R@1 (ITC)", MetricsLog.series(evalRows, "step", "val_t2i_r1_itc"));
            val.put("val image->text R@5 (ITC)", MetricsLog.series(evalRows, "step", "val_i2t_r5_itc"));
            val.put("val text->image R@5 (ITC)", MetricsLog.series(evalRows, "step", "val_t2i_r5_itc"));
            var chart = Charts.lossCurves("validation recall during training", val);
            chart.setYAxisTitle("recall");
            report.chart("validation recall", chart);
        }

        SplitRetrieval first = result.retrieval().values().iterator().next();
        if (!first.examples().isEmpty()) {
            report.heading(2, "Retrieved captions (" + first.split().name().toLowerCase(Locale.ROOT) + ")");
            report.paragraph("Under each image its best caption after re-ranking, marked right (true of the image"
                    + " by its scene) or wrong; the table lists the top " + first.examples().get(0).captions().size()
                    + " and whether each was written for the image.");
            EvaluationSet set = EvaluationSet.of(world.split(first.split()));
            List<BufferedImage> images = new ArrayList<>();
            List<String> captions = new ArrayList<>();
            List<Map<String, Object>> exampleRows = new ArrayList<>();
            for (SplitRetrieval.Example e : first.examples()) {
                images.add(set.images().get(e.imageIndex()).image());
                captions.add((e.correct().get(0) ? "right: " : "wrong: ") + e.captions().get(0));
                for (int r = 0; r < e.captions().size(); r++) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("image", e.imageIndex());
                    row.put("rank", r + 1);
                    row.put("caption", e.captions().get(r));
                    row.put("true", e.correct().get(r) ? "yes" : "no");
                    row.put("own caption", e.own().get(r) ? "yes" : "no");
                    exampleRows.add(row);
                }
            }
            report.image("retrieved captions", ImageGrid.of(images).captions(captions).columns(4).cellSize(128).render());
            report.table(Tables.fromRows(exampleRows));
        }

        more.accept(report);

        report.heading(2, "Files");
        report.bullets("`config.json`: the config as run (replay it with `--config`)",
                "`metrics.jsonl`: one JSON line per step (losses, learning rate, gradient norm) and per validation",
                "`results.json`: the final numbers of this report",
                "`checkpoints/`: model and optimizer state of the last steps (`--resume` continues from them)",
                "`tokenizer.json`: the word vocabulary");
        try {
            return report.write(result.runDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report in " + result.runDir() + ": " + e.getMessage(), e);
        }
    }

    /**
     * What ITM re-ranking did to recall@1 on each split, with McNemar's test of it query by query, read
     * against where the ITM loss ended: a matcher still at its prior H(1/3) cannot tell pairs apart,
     * so its re-ranking is noise.
     */
    static String rerankVerdict(Stage1Result result) {
        Double itm = result.losses().last().get("itm");
        List<String> changes = new ArrayList<>();
        boolean tested = false;
        for (SplitRetrieval r : result.retrieval().values()) {
            if (r.rerankK() > 0) {
                changes.add(String.format(Locale.ROOT, "%s %+.3f / %+.3f", r.split().name().toLowerCase(Locale.ROOT),
                        r.reranked().imageToText(1) - r.itc().imageToText(1),
                        r.reranked().textToImage(1) - r.itc().textToImage(1)));
                tested |= r.rerankTest() != null;
            }
        }
        if (changes.isEmpty() || itm == null) {
            return "";
        }
        String head = "ITM re-ranking changed recall@1 (image->text / text->image) by " + String.join(", ", changes)
                + ". "
                + (tested ? "The column \"" + SplitRetrieval.RERANK_COLUMN + "\" tests that query by query: the"
                        + " misses re-ranking turned into hits, the hits it turned into misses, and McNemar's exact p"
                        + " (below 0.05: more change than coin tosses would give). " : "");
        String attention = attentionSentence(result.itmAttention());
        if (itm > ITM_PRIOR - 0.01) {
            return head + String.format(Locale.ROOT, "The ITM loss ended at %.3f, at its prior H(1/3) = %.3f: the"
                    + " matcher has not yet learned to read a pair, so its scores are noise and re-ranking cannot be"
                    + " trusted in this run (a from-scratch Q-Former's ITM sits on this plateau for hundreds of"
                    + " steps, and for the whole run when the losses share one pair of AdamW moments,"
                    + " train.perLossMoments = false; docs/findings.md has the experiments).", itm, ITM_PRIOR) + attention;
        }
        return head + String.format(Locale.ROOT, "The ITM loss ended at %.3f, below its prior H(1/3) = %.3f: the"
                + " matcher reads the pairs.", itm, ITM_PRIOR) + attention;
    }

    /** What the ITM pass's self-attention looks at, in one sentence (empty when not measured). */
    static String attentionSentence(ItmAttention a) {
        if (a == null) {
            return "";
        }
        String numbers = String.format(Locale.ROOT, "largest weight %.3f against %.3f under uniform attention,"
                + " text share %.3f against %.3f, averaged over layers; true pairs out-score mismatched ones by %.3f",
                a.meanLargestWeight(), a.uniformLargestWeight(), a.meanTextShare(), a.uniformTextShare(), a.matchGap());
        if (a.uniform()) {
            return " In the ITM pass the queries' self-attention is about uniform (" + numbers + "): each query sees"
                    + " the text as one average of its words and cannot look up the words about its part of the image.";
        }
        return " In the ITM pass the queries' self-attention has formed (" + numbers + ").";
    }

    private static List<Map<String, Object>> recallRows(Stage1Result result) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (SplitRetrieval r : result.retrieval().values()) {
            for (boolean i2t : new boolean[] {true, false}) {
                for (boolean own : new boolean[] {true, false}) {
                    SplitRetrieval.Truth t = r.truth();
                    Recall chance = own ? r.chance() : t.chance();
                    List<Map.Entry<String, Recall>> methods = new ArrayList<>();
                    methods.add(Map.entry("ITC", own ? r.itc() : t.itc()));
                    if (r.rerankK() > 0) {
                        methods.add(Map.entry("ITC+ITM", own ? r.reranked() : t.reranked()));
                    }
                    methods.add(Map.entry("chance", chance));
                    if (own) {
                        methods.add(Map.entry("perfect scorer", t.ownCeiling()));
                    }
                    for (Map.Entry<String, Recall> m : methods) {
                        double[] v = i2t ? m.getValue().imageToText() : m.getValue().textToImage();
                        double chance1 = i2t ? chance.imageToText(1) : chance.textToImage(1);
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("split", r.split().name().toLowerCase(Locale.ROOT));
                        row.put("direction", i2t ? "image->text" : "text->image");
                        row.put("hit", own ? "own caption" : "true caption");
                        row.put("method", m.getKey());
                        for (int j = 0; j < m.getValue().ks().length; j++) {
                            row.put("R@" + m.getValue().ks()[j], v[j]);
                        }
                        row.put("R@1 / chance", v[0] / chance1);
                        row.put("SE(R@1)", r.standardError(m.getValue(), i2t));
                        if (r.rerankTest() != null) {
                            McNemar test = i2t ? r.rerankTest().imageToText() : r.rerankTest().textToImage();
                            row.put(SplitRetrieval.RERANK_COLUMN, m.getValue() == r.reranked() ? test.shortText() : "");
                        }
                        rows.add(row);
                    }
                }
            }
        }
        return rows;
    }

    /** The binding benchmark: accuracy per foil type and scorer beside chance and the bag-of-words ceiling. */
    static void bindingSection(MarkdownReport report, SplitBinding b) {
        report.heading(2, "Binding (" + b.split().name().toLowerCase(Locale.ROOT) + ")");
        report.paragraph(String.format(Locale.ROOT, "Each of the %,d images' true captions against a foil made"
                + " from its scene graph (in the spirit of ARO and Winoground): two objects trade colours"
                + " (attribute swap), a relation's arguments trade places (relation swap), one shape's count"
                + " changes, one object's size flips. Every foil is false of its image and its caption true"
                + " (data/CaptionTruth). A scorer is right when it scores the caption above the foil (half right"
                + " on a tie): ITC by similarity, ITM by match probability, ITG by the log-likelihood of the text"
                + " under the Q-Former's own LM head given the image's queries. Chance is 0.5; a bag-of-words"
                + " matcher ties on the swaps, whose foils have the caption's very words, so its ceiling there is"
                + " 0.5. SE is the largest sampling standard error of the row's three accuracies. %.1f s.",
                b.images(), b.seconds()));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (org.qformerlab.blip2.eval.Binding.Row r : b.binding().rows()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("foils", r.type() == null ? "all" : r.type().label());
            row.put("n", r.count());
            double se = 0;
            for (org.qformerlab.blip2.eval.PairScorer.Scorer s : org.qformerlab.blip2.eval.PairScorer.Scorer.values()) {
                row.put(s.name(), r.accuracy().get(s));
                se = Math.max(se, r.standardError(s));
            }
            row.put("chance", org.qformerlab.blip2.eval.Binding.CHANCE);
            row.put("bag of words at best", r.bagOfWordsCeiling());
            row.put("SE", se);
            rows.add(row);
        }
        report.table(Tables.fromRows(rows));
        List<Map<String, Object>> examples = new ArrayList<>();
        for (org.qformerlab.blip2.data.BindingFoils.Foil f : b.examples()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("image", f.imageIndex());
            row.put("foils", f.type().label());
            row.put("true caption", f.caption());
            row.put("foil", f.foil());
            examples.add(row);
        }
        report.table(Tables.fromRows(examples));
    }

    /** How the recall table counts hits, the ceilings, and the sampling error, in one paragraph. */
    static String truthParagraph(Stage1Result result) {
        List<String> shared = new ArrayList<>();
        List<String> sizes = new ArrayList<>();
        double worst = 0;
        for (SplitRetrieval r : result.retrieval().values()) {
            String split = r.split().name().toLowerCase(Locale.ROOT);
            shared.add(String.format(Locale.ROOT, "%.0f%% on %s", 100 * r.truth().sharedCaptions(), split));
            sizes.add(String.format(Locale.ROOT, "%s %,d images / %,d captions", split, r.images(), r.texts()));
            for (Recall x : List.of(r.reranked(), r.truth().reranked())) {
                worst = Math.max(worst, Math.max(r.standardError(x, true), r.standardError(x, false)));
            }
        }
        return "Two counts of a hit. \"own caption\" is LAVIS's protocol: an image->text hit is one of the"
                + " captions written for the image, a text->image hit the image it was written for. But most"
                + " captions are true of several images (" + String.join(", ", shared) + " of the captions), so"
                + " the own count marks right answers wrong; even a perfect scorer, one that ranks every true"
                + " caption above every false one (the most specific first) but cannot know who wrote which,"
                + " reaches only the \"perfect scorer\" row. \"true caption\" counts a hit whenever the scene makes the caption"
                + " true of the image (data/CaptionTruth); its ceiling is 1 and its chance row is what a random"
                + " ranking scores with the same rule. SE(R@1) is the sampling standard error sqrt(r (1 - r) / n)"
                + " over the n queries (" + String.join(", ", sizes) + String.format(Locale.ROOT,
                "); the largest for the best ranking is %.4f.", worst);
    }

    private static org.knowm.xchart.CategoryChart recallChart(Stage1Result result, String direction) {
        boolean i2t = direction.startsWith("image");
        Map<String, double[]> bars = new LinkedHashMap<>();
        int[] ks = Recall.STANDARD_KS;
        for (SplitRetrieval r : result.retrieval().values()) {
            String split = r.split().name().toLowerCase(Locale.ROOT);
            bars.put(split + " ITC", i2t ? r.itc().imageToText() : r.itc().textToImage());
            if (r.rerankK() > 0) {
                bars.put(split + " ITC+ITM", i2t ? r.reranked().imageToText() : r.reranked().textToImage());
            }
            Recall t = r.truth().reranked();
            bars.put(split + (r.rerankK() > 0 ? " ITC+ITM" : " ITC") + ", true captions",
                    i2t ? t.imageToText() : t.textToImage());
        }
        SplitRetrieval any = result.retrieval().values().iterator().next();
        bars.put("chance (" + any.split().name().toLowerCase(Locale.ROOT) + ")",
                i2t ? any.chance().imageToText() : any.chance().textToImage());
        return Charts.recallBars(direction + " retrieval", ks, bars);
    }

    private static List<Map<String, Object>> lossRows(LossSummary losses) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String term : losses.first().keySet()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("term", term);
            row.put("first steps", losses.first().get(term));
            row.put("last steps", losses.last().get(term));
            row.put("change", losses.last().get(term) - losses.first().get(term));
            rows.add(row);
        }
        return rows;
    }

    private static List<String> timings(Map<String, Double> seconds) {
        List<String> out = new ArrayList<>();
        double total = 0;
        for (Map.Entry<String, Double> e : seconds.entrySet()) {
            out.add(String.format(Locale.ROOT, "%s: %.1f s", e.getKey(), e.getValue()));
            total += e.getValue();
        }
        out.add(String.format(Locale.ROOT, "total: %.1f s", total));
        return out;
    }

    private static List<Map<String, Object>> trainingRows(List<Map<String, Object>> rows) {
        return rows.stream().filter(r -> !r.containsKey("eval")).toList();
    }

    /** Trailing moving average over {@code window} points. */
    static double[][] smooth(double[][] series, int window) {
        double[] xs = series[0];
        double[] ys = series[1];
        double[] out = new double[ys.length];
        double sum = 0;
        for (int i = 0; i < ys.length; i++) {
            sum += ys[i];
            if (i >= window) {
                sum -= ys[i - window];
            }
            out[i] = sum / Math.min(i + 1, window);
        }
        return new double[][] {xs, out};
    }

    private static String num(double w) {
        return w == Math.rint(w) ? String.valueOf((long) w) : String.valueOf(w);
    }
}
