package org.qformerlab.blip2.report;

import java.util.List;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Renders a table as a plain HTML {@code <table>} for notebook display: a header row, one row per
 * record, numeric cells right-aligned, every text HTML-escaped.
 */
final class HtmlTable {

    private static final String NUMERIC_CELL = "<td style=\"text-align:right\">";

    private HtmlTable() {
    }

    static String render(Table table) {
        List<Column<?>> columns = table.columns();
        StringBuilder out = new StringBuilder("<table>\n<thead>\n<tr>");
        for (Column<?> column : columns) {
            out.append("<th>").append(escape(column.name())).append("</th>");
        }
        out.append("</tr>\n</thead>\n<tbody>\n");
        for (int row = 0; row < table.rowCount(); row++) {
            out.append("<tr>");
            for (Column<?> column : columns) {
                out.append(Cells.isNumeric(column) ? NUMERIC_CELL : "<td>")
                        .append(escape(Cells.text(column, row)))
                        .append("</td>");
            }
            out.append("</tr>\n");
        }
        return out.append("</tbody>\n</table>\n").toString();
    }

    /** Escapes the five characters that are special in HTML text and attribute values. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
