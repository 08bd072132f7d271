package org.qformerlab.blip2.report;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import org.qformerlab.blip2.checkpoint.AtomicFiles;

/**
 * Helpers around Tablesaw {@link Table}s for results: build one from row maps, render it as Markdown
 * (reports), HTML (notebooks) or CSV (files), and summarise repeated runs per group.
 *
 * <p>Numbers are displayed as {@link #formatNumber(double)} writes them; CSV keeps full precision.
 *
 * <pre>{@code
 * Table runs = Tables.fromRows(List.of(
 *         Map.of("queries", 8, "seed", 1, "r1", 0.41),
 *         Map.of("queries", 8, "seed", 2, "r1", 0.43)));
 * Table summary = Tables.meanAndSpread(runs, List.of("queries"), List.of("r1"));
 * String md = Tables.toMarkdown(summary);  // | queries | r1_mean | r1_std | n |
 * }</pre>
 */
public final class Tables {

    private Tables() {
    }

    /**
     * Builds a table from row maps. Columns appear in the order their keys are first seen (use
     * ordered maps, e.g. {@link java.util.LinkedHashMap}, to control it); a column whose present
     * values are all numbers is a {@link DoubleColumn}, any other a {@link StringColumn}; absent or
     * null cells are missing values.
     */
    public static Table fromRows(List<? extends Map<String, ?>> rows) {
        return fromRows("table", rows);
    }

    /** As {@link #fromRows(List)}, naming the table. */
    public static Table fromRows(String name, List<? extends Map<String, ?>> rows) {
        return RowTables.fromRows(name, rows);
    }

    /**
     * Renders a GitHub pipe table: header, alignment row (numeric columns right-aligned), one line
     * per row, each ending in a newline.
     */
    public static String toMarkdown(Table table) {
        return MarkdownTable.render(table);
    }

    /** Renders a plain, escaped HTML {@code <table>} with {@code <thead>} and {@code <tbody>}. */
    public static String toHtml(Table table) {
        return HtmlTable.render(table);
    }

    /** Escapes {@code & < > " '} for HTML. */
    public static String escapeHtml(String text) {
        return HtmlTable.escape(text);
    }

    /** Writes the table as CSV (header row, full precision) atomically, creating parent folders. */
    public static void writeCsv(Table table, Path file) throws IOException {
        StringWriter csv = new StringWriter();
        table.write().csv(csv);
        AtomicFiles.write(file, csv.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Formats a number for display: whole numbers exactly ({@code 1000}), others with 4 significant
     * digits ({@code 0.8333}, {@code 12.35}), very small or large ones in scientific notation
     * ({@code 1.235e-05}), NaN (missing) as an empty string, infinities as {@code inf}/{@code -inf}.
     */
    public static String formatNumber(double value) {
        return NumberText.format(value);
    }

    /**
     * Aggregates runs per group. Rows with equal values in the {@code groupBy} columns form a group
     * (groups keep their first-seen order). The result has the group-by columns, then for each metric
     * {@code <metric>_mean} and {@code <metric>_std} (sample standard deviation, n - 1; 0 for a
     * single run), then {@code n}, the number of runs in the group. Missing metric values are skipped
     * in that metric's mean and std. With an empty {@code groupBy} all rows form one group.
     *
     * @throws IllegalArgumentException if a named column does not exist or a metric is not numeric
     */
    public static Table meanAndSpread(Table runs, List<String> groupBy, List<String> metrics) {
        return GroupSummary.meanAndSpread(runs, groupBy, metrics);
    }
}
