package org.qformerlab.ablations;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.qformerlab.blip2.checkpoint.AtomicFiles;
import org.qformerlab.blip2.report.MarkdownReport;
import org.qformerlab.blip2.report.Tables;
import tech.tablesaw.api.Table;

/**
 * What a study produced: the summary table (one row per variant), the per-run table, the one-line
 * answer, and the files written to the study folder — {@code results.csv} and {@code results.md} (the
 * summary), {@code runs.csv}, and {@code report.md} with its figures.
 *
 * @param folder the study folder
 * @param table the summary: per variant, mean and std over seeds of every metric, n, failures
 * @param runs one row per run
 * @param records every run with its stored result, in plan order
 * @param answer the first metric's answer comparing means as independent samples ({@link Verdict})
 * @param answers one answer per metric, in spec order
 * @param headline the answer to the question: every variant against the baseline on the headline
 *     metric, paired by seed, with its power; {@link Headline#sentence()} opens the report
 * @param report the path of {@code report.md}
 * @param executed how many runs were executed by this call (the rest were already finished)
 */
public record StudyResults(Path folder, Table table, Table runs, List<RunRecord> records, String answer,
        List<String> answers, Headline headline, Path report, int executed) {

    /** How many runs ended failed. */
    public long failed() {
        return records.stream().filter(r -> !r.result().isOk()).count();
    }

    static StudyResults build(Study study, Path folder, List<RunRecord> records, int executed, boolean quick)
            throws IOException {
        StudySpec spec = study.spec();
        ResultsTable tables = new ResultsTable(spec, study.variants(), records);
        Table summary = tables.summary();
        Table runs = tables.runs();
        List<String> answers = new ArrayList<>();
        for (MetricSpec m : spec.metrics()) {
            answers.add(Verdict.answer(m, tables.stats(m.name())));
        }
        MetricSpec main = spec.headlineMetric();
        Headline headline = Headline.of(main, spec.baselineVariant(), tables.bySeed(main.name()));
        Tables.writeCsv(summary, folder.resolve("results.csv"));
        Tables.writeCsv(runs, folder.resolve("runs.csv"));
        AtomicFiles.write(folder.resolve("results.md"), Tables.toMarkdown(summary).getBytes(StandardCharsets.UTF_8));
        MarkdownReport report = StudyReport.build(study, tables, answers, headline,
                new StudyPlots(spec, study.variants(), tables), StudyTime.of(records), quick);
        Path file = report.write(folder);
        return new StudyResults(folder, summary, runs, List.copyOf(records), answers.get(0), List.copyOf(answers),
                headline, file, executed);
    }
}
