package org.qformerlab.blip2.report;

import java.util.List;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Renders a table as a GitHub-flavoured Markdown pipe table. Numeric columns are right-aligned;
 * pipes in cells are escaped and line breaks become spaces so that every row stays on one line.
 */
final class MarkdownTable {

    private MarkdownTable() {
    }

    static String render(Table table) {
        List<Column<?>> columns = table.columns();
        StringBuilder out = new StringBuilder();
        out.append('|');
        for (Column<?> column : columns) {
            out.append(' ').append(escape(column.name())).append(" |");
        }
        out.append('\n').append('|');
        for (Column<?> column : columns) {
            out.append(Cells.isNumeric(column) ? " ---: |" : " --- |");
        }
        out.append('\n');
        for (int row = 0; row < table.rowCount(); row++) {
            out.append('|');
            for (Column<?> column : columns) {
                out.append(' ').append(escape(Cells.text(column, row))).append(" |");
            }
            out.append('\n');
        }
        return out.toString();
    }

    static String escape(String text) {
        return text.replace("\\", "\\\\")
                .replace("|", "\\|")
                .replace("\r\n", " ")
                .replace('\n', ' ')
                .replace('\r', ' ');
    }
}
