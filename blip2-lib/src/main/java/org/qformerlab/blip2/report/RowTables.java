package org.qformerlab.blip2.report;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Builds a Tablesaw table from row maps: one column per key, in order of first appearance; a column
 * whose present values are all {@link Number}s becomes a {@link DoubleColumn}, any other a
 * {@link StringColumn}. Absent or null cells become missing values.
 */
final class RowTables {

    private RowTables() {
    }

    static Table fromRows(String name, List<? extends Map<String, ?>> rows) {
        Table table = Table.create(name);
        for (String key : keysInOrder(rows)) {
            table.addColumns(isNumeric(rows, key) ? doubleColumn(rows, key) : stringColumn(rows, key));
        }
        return table;
    }

    private static Set<String> keysInOrder(List<? extends Map<String, ?>> rows) {
        Set<String> keys = new LinkedHashSet<>();
        for (Map<String, ?> row : rows) {
            keys.addAll(row.keySet());
        }
        return keys;
    }

    private static boolean isNumeric(List<? extends Map<String, ?>> rows, String key) {
        boolean sawValue = false;
        for (Map<String, ?> row : rows) {
            Object value = row.get(key);
            if (value == null) {
                continue;
            }
            if (!(value instanceof Number)) {
                return false;
            }
            sawValue = true;
        }
        return sawValue;
    }

    private static Column<?> doubleColumn(List<? extends Map<String, ?>> rows, String key) {
        DoubleColumn column = DoubleColumn.create(key);
        for (Map<String, ?> row : rows) {
            Object value = row.get(key);
            if (value == null) {
                column.appendMissing();
            } else {
                column.append(((Number) value).doubleValue());
            }
        }
        return column;
    }

    private static Column<?> stringColumn(List<? extends Map<String, ?>> rows, String key) {
        StringColumn column = StringColumn.create(key);
        for (Map<String, ?> row : rows) {
            Object value = row.get(key);
            if (value == null) {
                column.appendMissing();
            } else {
                column.append(String.valueOf(value));
            }
        }
        return column;
    }
}
