package org.qformerlab.ablations;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.qformerlab.blip2.report.MarkdownReport;
import org.qformerlab.blip2.report.Tables;
import tech.tablesaw.api.Table;

/**
 * A study's {@code report.md}, readable in one screen: the question; the answer in one sentence, with
 * the power to find a difference ({@link Headline}); whether the paper's direction shows; the main
 * table (the headline metric, every variant against the baseline); the main figure (the headline by
 * variant); and the time the study took. Below that everything else: setup, notes, all metrics, the
 * failed runs, the answer per metric, the seed-by-seed comparisons, the paper in detail, the other
 * figures, how to read it, and the run list.
 */
final class StudyReport {

    private StudyReport() {
    }

    static MarkdownReport build(Study study, ResultsTable tables, List<String> answers, Headline headline,
            StudyPlots plots, StudyTime time, boolean quick) throws IOException {
        StudySpec spec = study.spec();
        MarkdownReport report = new MarkdownReport("Ablation: " + spec.name() + (quick ? " (quick)" : ""));

        // the first screen
        report.paragraph("**Question.** " + spec.question().strip());
        report.paragraph("**Answer.** " + headline.sentence());
        PaperClaim paper = spec.paper();
        if (paper != null) {
            report.paragraph("**Against the paper.** " + headline.againstPaper(paper, spec.metric(paper.metric()),
                    tables.bySeed(paper.metric())) + " The paper: " + paper.finding().strip());
        }
        if (quick) {
            report.paragraph("*Quick run (`--quick`): fewer steps and seeds than the study; a smoke test, not evidence.*");
        }
        report.paragraph(String.format(Locale.ROOT, "**%s** against the baseline %s, paired by seed. Effect:"
                + " variant - baseline; MDE: the smallest effect a two-sided 5%% test finds with 80%% power at this"
                + " many seeds; p: Holm-adjusted over %d comparison%s.", headline.metric().name(), headline.baseline(),
                headline.tests(), headline.tests() == 1 ? "" : "s"));
        report.table(headline.table());
        StudyPlots.Figure main = plots.bar(headline.metric().name());
        if (main != null) {
            report.chart(main.title(), main.chart());
        }
        report.paragraph("**Time.** " + time.sentence());

        // everything else
        List<String> setup = new ArrayList<>();
        setup.add("Experiment `" + spec.kind() + "`; " + study.variants().size() + " variants x "
                + (quick ? spec.quickSeedList() : spec.seedList()).size() + " seeds (seed at `" + spec.seedPath() + "`).");
        for (Axis a : spec.axes()) {
            setup.add((spec.zip().contains(a) ? "zip" : "grid") + " `" + a.path() + "`: "
                    + a.values().stream().map(Axis::text).collect(Collectors.joining(", "))
                    + (a.labels() == null ? "" : " (" + String.join(", ", a.labels()) + ")"));
        }
        setup.add("Metrics: " + spec.metrics().stream().map(m -> m.name() + " (" + m.better() + " is better)")
                .collect(Collectors.joining(", ")) + ".");
        setup.add("Headline: " + headline.metric().name() + ", against the baseline " + headline.baseline() + ".");
        report.heading(2, "Setup").bullets(setup);
        if (spec.notes() != null && !spec.notes().isBlank()) {
            report.heading(2, "Notes").paragraph(spec.notes());
        }

        report.heading(2, "Results");
        report.paragraph("Mean and sample standard deviation over seeds; `n` finished runs, `failed` runs that "
                + "still failed after their retry (reasons below).");
        report.table(tables.summary());
        Table failures = tables.failures();
        if (failures.rowCount() > 0) {
            report.heading(2, "Failed runs").table(failures);
        }
        report.heading(2, "Per metric");
        report.paragraph("Each metric's best variant against the next, their means compared as independent samples"
                + " (a screen: beyond " + Tables.formatNumber(Verdict.STANDARD_ERRORS) + " standard errors).");
        report.bullets(answers);

        Map<String, PairedBySeed> bySeed = new LinkedHashMap<>(); // null where the seeds do not pair two variants
        for (MetricSpec m : spec.metrics()) {
            bySeed.put(m.name(), PairedBySeed.of(m, tables.bySeed(m.name())));
        }
        List<String> paired = new ArrayList<>();
        for (PairedBySeed p : bySeed.values()) {
            if (p != null) {
                paired.add(p.sentence());
            }
        }
        if (!paired.isEmpty()) {
            report.heading(2, "Seed by seed");
            report.paragraph("Every variant ran the same seeds, and a seed fixes what they share (data order, the"
                    + " initialisation of their common parts), so the runs of one seed are a pair. The best variant"
                    + " against the runner-up on each metric: the mean of the per-seed differences ± its standard"
                    + " error, and the paired t statistic. Much of the spread between seeds cancels in a pair, so"
                    + " this can find a difference that the answer above, comparing the means as independent"
                    + " samples, leaves within the spread. Beyond 2 standard errors is a screen; each line gives the"
                    + " |t| that a two-sided 5% test over its number of pairs needs.");
            report.bullets(paired);
        }
        if (paper != null) {
            PairedBySeed p = bySeed.get(paper.metric());
            report.heading(2, "Against the paper, in detail");
            report.paragraph(paper.finding().strip() + " Here: "
                    + Verdict.againstPaper(paper, spec.metric(paper.metric()), tables.stats(paper.metric()))
                    + (p == null ? "" : " " + p.testSentence()));
        }
        List<StudyPlots.Figure> figures = new ArrayList<>(plots.all());
        if (main != null) {
            figures.removeIf(f -> f.title().equals(main.title()));
        }
        if (!figures.isEmpty()) {
            report.heading(2, "Figures");
            for (StudyPlots.Figure f : figures) {
                report.chart(f.title(), f.chart());
            }
        }
        report.heading(2, "How to read the answer");
        report.paragraph("The answer is about the headline metric (" + headline.metric().name() + "): each variant"
                + " against the baseline " + headline.baseline() + ", seed by seed. The effect is the mean of the"
                + " per-seed differences (variant - baseline) ± its standard error s_d/sqrt(n); the paired t test"
                + " gives its two-sided p, and the p-values of all the variants are adjusted together by Holm's"
                + " step-down method, so that the chance of any false finding stays at 5%. A variant differs from"
                + " the baseline when its adjusted p < 0.05. The MDE (minimum detectable effect) is (t_{0.975,n-1}"
                + " + t_{0.80,n-1}) s_d/sqrt(n): an effect that large would be found 80% of the time at this many"
                + " seeds (before the adjustment), so \"no effect larger than\" the MDE is what a study that finds"
                + " nothing can say. `qformerlab ablate <spec> --plan --pilot <study folder>` gives the seeds a"
                + " smaller MDE needs.");
        report.paragraph("Per metric, the best variant is compared with the next variant: the difference of their "
                + "means ± its standard error sqrt(s1²/n1 + s2²/n2). It counts as a win only when it exceeds "
                + Tables.formatNumber(Verdict.STANDARD_ERRORS) + " standard errors (variants within that of the best are named as tied with it); otherwise the answer says there is no difference "
                + "beyond the seed spread. Each run's config, log, metrics and result are in `runs/<variant>-seed<k>/`.");
        report.heading(2, "Runs");
        report.paragraph("Every run with its metrics, wall seconds (last attempt) and attempts.");
        report.table(tables.runs());
        return report;
    }
}
