package org.qformerlab.blip2.report;

import tech.tablesaw.api.NumberColumn;
import tech.tablesaw.columns.Column;

/** The display text of a table cell, shared by the Markdown and HTML renderers. */
final class Cells {

    private Cells() {
    }

    /** Whether the column holds numbers (rendered right-aligned, via {@link NumberText}). */
    static boolean isNumeric(Column<?> column) {
        return column instanceof NumberColumn;
    }

    /** The cell's text: numbers formatted by {@link NumberText}, missing values empty. */
    static String text(Column<?> column, int row) {
        if (column.isMissing(row)) {
            return "";
        }
        if (column instanceof NumberColumn<?, ?> numbers) {
            return NumberText.format(numbers.getDouble(row));
        }
        return column.getString(row);
    }
}
