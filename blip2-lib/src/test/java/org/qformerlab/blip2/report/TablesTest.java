package org.qformerlab.blip2.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class TablesTest {

    /** Builds an ordered row map from alternating keys and values. */
    static Map<String, Object> row(Object... keysAndValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            row.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return row;
    }

    private static Table results() {
        return Tables.fromRows(List.of(
                row("variant", "q32", "recall", 0.833333, "steps", 1000),
                row("variant", "q8", "recall", 0.5, "steps", 2000)));
    }

    @Test
    void fromRowsKeepsColumnOrderAndTypes() {
        Table table = Tables.fromRows(List.of(
                row("variant", "itc", "loss", 1.5, "note", null),
                row("variant", "itm", "loss", 2, "note", "ok", "extra", 7)));

        assertEquals(List.of("variant", "loss", "note", "extra"), table.columnNames());
        assertInstanceOf(StringColumn.class, table.column("variant"));
        assertInstanceOf(DoubleColumn.class, table.column("loss"));
        assertInstanceOf(StringColumn.class, table.column("note"));
        assertInstanceOf(DoubleColumn.class, table.column("extra"));
        assertEquals(2.0, table.doubleColumn("loss").get(1));
        assertTrue(table.column("note").isMissing(0));
        assertTrue(table.column("extra").isMissing(0));
    }

    @Test
    void mixedNumbersAndTextBecomeAStringColumn() {
        Table table = Tables.fromRows(List.of(row("x", 1), row("x", "n/a")));
        assertInstanceOf(StringColumn.class, table.column("x"));
        assertEquals("1", table.stringColumn("x").get(0));
    }

    @Test
    void markdownRendersAGithubPipeTable() {
        assertEquals("""
                | variant | recall | steps |
                | --- | ---: | ---: |
                | q32 | 0.8333 | 1000 |
                | q8 | 0.5 | 2000 |
                """, Tables.toMarkdown(results()));
    }

    @Test
    void markdownEscapesPipesAndLineBreaks() {
        Table table = Tables.fromRows(List.of(row("caption", "a|b\nc")));
        assertEquals("| caption |\n| --- |\n| a\\|b c |\n", Tables.toMarkdown(table));
    }

    @Test
    void htmlRendersAPlainTable() {
        assertEquals("""
                <table>
                <thead>
                <tr><th>variant</th><th>recall</th><th>steps</th></tr>
                </thead>
                <tbody>
                <tr><td>q32</td><td style="text-align:right">0.8333</td><td style="text-align:right">1000</td></tr>
                <tr><td>q8</td><td style="text-align:right">0.5</td><td style="text-align:right">2000</td></tr>
                </tbody>
                </table>
                """, Tables.toHtml(results()));
    }

    @Test
    void htmlEscapesText() {
        Table table = Tables.fromRows(List.of(row("<b>name</b>", "Tom & \"Jerry\" <script>'x'</script>")));
        String html = Tables.toHtml(table);
        assertTrue(html.contains("<th>&lt;b&gt;name&lt;/b&gt;</th>"), html);
        assertTrue(html.contains(
                "<td>Tom &amp; &quot;Jerry&quot; &lt;script&gt;&#39;x&#39;&lt;/script&gt;</td>"), html);
        assertTrue(!html.contains("<script>"));
    }

    @Test
    void numbersAreFormattedWithFourSignificantDigits() {
        assertEquals("0.8333", Tables.formatNumber(0.833333));
        assertEquals("12.35", Tables.formatNumber(12.3456));
        assertEquals("1235", Tables.formatNumber(1234.5678));
        assertEquals("12000", Tables.formatNumber(12000));
        assertEquals("-3", Tables.formatNumber(-3.0));
        assertEquals("0.5", Tables.formatNumber(0.5));
        assertEquals("1.235e-05", Tables.formatNumber(0.0000123456));
        assertEquals("1.235e+10", Tables.formatNumber(12345678901.5));
        assertEquals("", Tables.formatNumber(Double.NaN));
        assertEquals("inf", Tables.formatNumber(Double.POSITIVE_INFINITY));
    }

    @Test
    void meanAndSpreadMatchesHandComputedValues() {
        List<Map<String, Object>> rows = new ArrayList<>();
        rows.add(row("mask", "itc", "seed", 1, "r1", 1.0, "loss", 4.0));
        rows.add(row("mask", "itm", "seed", 1, "r1", 10.0, "loss", 5.0));
        rows.add(row("mask", "itc", "seed", 2, "r1", 2.0, "loss", 4.0));
        rows.add(row("mask", "itc", "seed", 3, "r1", 3.0, "loss", 4.0));

        Table summary = Tables.meanAndSpread(Tables.fromRows(rows), List.of("mask"), List.of("r1", "loss"));

        assertEquals(List.of("mask", "r1_mean", "r1_std", "loss_mean", "loss_std", "n"), summary.columnNames());
        assertEquals(List.of("itc", "itm"), summary.stringColumn("mask").asList());
        assertEquals(2.0, summary.doubleColumn("r1_mean").get(0), 1e-12);
        assertEquals(1.0, summary.doubleColumn("r1_std").get(0), 1e-12);
        assertEquals(0.0, summary.doubleColumn("loss_std").get(0), 1e-12);
        assertEquals(3, summary.intColumn("n").get(0));
        assertEquals(10.0, summary.doubleColumn("r1_mean").get(1), 1e-12);
        assertEquals(0.0, summary.doubleColumn("r1_std").get(1), "a single run has std 0");
        assertEquals(1, summary.intColumn("n").get(1));
    }

    @Test
    void meanAndSpreadGroupsByNumericColumnsAndRendersAsMarkdown() {
        Table runs = Tables.fromRows(List.of(
                row("queries", 8, "r1", 0.25),
                row("queries", 8, "r1", 0.75),
                row("queries", 32, "r1", 0.5)));

        Table summary = Tables.meanAndSpread(runs, List.of("queries"), List.of("r1"));

        assertEquals("""
                | queries | r1_mean | r1_std | n |
                | ---: | ---: | ---: | ---: |
                | 8 | 0.5 | 0.3536 | 2 |
                | 32 | 0.5 | 0 | 1 |
                """, Tables.toMarkdown(summary));
    }

    @Test
    void meanAndSpreadRejectsATextMetric() {
        Table runs = Tables.fromRows(List.of(row("mask", "itc", "note", "x")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tables.meanAndSpread(runs, List.of("mask"), List.of("note")));
        assertTrue(e.getMessage().contains("note"));
    }

    @Test
    void meanAndSpreadNamesAMissingColumn() {
        Table runs = Tables.fromRows(List.of(row("mask", "itc", "r1", 0.5)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tables.meanAndSpread(runs, List.of("mask"), List.of("r5")));
        assertEquals("no column 'r5' in table; columns are [mask, r1]", e.getMessage());
    }

    @Test
    void meanAndSpreadWithoutGroupsSummarisesAllRows() {
        Table runs = Tables.fromRows(List.of(row("r1", 1.0), row("r1", 2.0), row("r1", 3.0)));
        Table summary = Tables.meanAndSpread(runs, List.of(), List.of("r1"));
        assertEquals(1, summary.rowCount());
        assertEquals(2.0, summary.doubleColumn("r1_mean").get(0), 1e-12);
        assertEquals(1.0, summary.doubleColumn("r1_std").get(0), 1e-12);
        assertEquals(3, summary.intColumn("n").get(0));
    }

    @Test
    void sampleStatsOfOneToThree() {
        assertEquals(new SampleStats(2.0, 1.0, 3), SampleStats.of(1, 2, 3));
        assertEquals(new SampleStats(5.0, 0.0, 1), SampleStats.of(5));
        assertEquals(0, SampleStats.of(Double.NaN).n());
    }

    @Test
    void csvIsWrittenWithHeaderAndFullPrecision(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("nested/results.csv");
        Tables.writeCsv(results(), file);
        List<String> lines = Files.readAllLines(file);
        assertEquals("variant,recall,steps", lines.get(0));
        assertEquals("q32,0.833333,1000.0", lines.get(1));
        assertEquals(3, lines.size());
    }
}
