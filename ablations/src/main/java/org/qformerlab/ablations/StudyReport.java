package org.qformerlab.ablations;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.qformerlab.blip2.report.MarkdownReport;
import org.qformerlab.blip2.report.Tables;
import tech.tablesaw.api.Table;

/**
 * A study's {@code report.md}: the question, the one-line answer, the summary table, the failed runs,
 * the figures, and how the numbers were made.
 */
final class StudyReport {

    private StudyReport() {
    }

    static MarkdownReport build(Study study, ResultsTable tables, List<String> answers,
            List<StudyPlots.Figure> figures, boolean quick) {
        StudySpec spec = study.spec();
        MarkdownReport report = new MarkdownReport("Ablation: " + spec.name() + (quick ? " (quick)" : ""));
        report.paragraph("**Question.** " + spec.question().strip());
        report.paragraph("**Answer.** " + answers.get(0));
        Map<String, PairedBySeed> bySeed = new LinkedHashMap<>(); // null where the seeds do not pair two variants
        for (MetricSpec m : spec.metrics()) {
            bySeed.put(m.name(), PairedBySeed.of(m, tables.bySeed(m.name())));
        }
        PaperClaim paper = spec.paper();
        if (paper != null) {
            PairedBySeed p = bySeed.get(paper.metric());
            report.paragraph("**Against the paper.** " + paper.finding().strip() + " Here: "
                    + Verdict.againstPaper(paper, spec.metric(paper.metric()), tables.stats(paper.metric()))
                    + (p == null ? "" : " " + p.testSentence()));
        }
        if (quick) {
            report.paragraph("*Quick run (`--quick`): fewer steps and seeds than the study; a smoke test, not evidence.*");
        }
        if (spec.notes() != null && !spec.notes().isBlank()) {
            report.paragraph(spec.notes());
        }
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
        report.heading(2, "Setup").bullets(setup);

        report.heading(2, "Results");
        report.paragraph("Mean and sample standard deviation over seeds; `n` finished runs, `failed` runs that "
                + "still failed after their retry (reasons below).");
        report.table(tables.summary());
        Table failures = tables.failures();
        if (failures.rowCount() > 0) {
            report.heading(2, "Failed runs").table(failures);
        }
        if (spec.metrics().size() > 1) {
            report.heading(2, "Per metric").bullets(answers);
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
        if (!figures.isEmpty()) {
            report.heading(2, "Figures");
            for (StudyPlots.Figure f : figures) {
                report.chart(f.title(), f.chart());
            }
        }
        report.heading(2, "How to read the answer");
        report.paragraph("The best variant on a metric is compared with the next variant: the difference of their "
                + "means ± its standard error sqrt(s1²/n1 + s2²/n2). It counts as a win only when it exceeds "
                + Tables.formatNumber(Verdict.STANDARD_ERRORS) + " standard errors (variants within that of the best are named as tied with it); otherwise the answer says there is no difference "
                + "beyond the seed spread. Each run's config, log, metrics and result are in `runs/<variant>-seed<k>/`.");
        return report;
    }
}
