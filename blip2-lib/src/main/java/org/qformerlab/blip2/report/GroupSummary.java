package org.qformerlab.blip2.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.NumberColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Aggregates repeated runs: rows with equal values in the group-by columns form one group, and each
 * metric is summarised by its {@link SampleStats}. Groups keep the order in which they first appear.
 */
final class GroupSummary {

    private GroupSummary() {
    }

    static Table meanAndSpread(Table runs, List<String> groupBy, List<String> metrics) {
        requireColumns(runs, groupBy);
        requireColumns(runs, metrics);
        Map<List<Object>, List<Integer>> groups = groupRows(runs, groupBy);
        Table summary = Table.create(runs.name() + " summary");
        for (String key : groupBy) {
            summary.addColumns(firstValues(runs.column(key), groups));
        }
        for (String metric : metrics) {
            NumberColumn<?, ?> values = metricColumn(runs, metric);
            DoubleColumn means = DoubleColumn.create(metric + "_mean");
            DoubleColumn stds = DoubleColumn.create(metric + "_std");
            for (List<Integer> rows : groups.values()) {
                SampleStats stats = SampleStats.of(valuesAt(values, rows));
                means.append(stats.mean());
                stds.append(stats.std());
            }
            summary.addColumns(means, stds);
        }
        IntColumn counts = IntColumn.create("n");
        groups.values().forEach(rows -> counts.append(rows.size()));
        return summary.addColumns(counts);
    }

    private static void requireColumns(Table runs, List<String> names) {
        for (String name : names) {
            if (!runs.containsColumn(name)) {
                throw new IllegalArgumentException(
                        "no column '" + name + "' in table; columns are " + runs.columnNames());
            }
        }
    }

    private static Map<List<Object>, List<Integer>> groupRows(Table runs, List<String> groupBy) {
        Map<List<Object>, List<Integer>> groups = new LinkedHashMap<>();
        for (int row = 0; row < runs.rowCount(); row++) {
            List<Object> key = new ArrayList<>(groupBy.size());
            for (String column : groupBy) {
                key.add(runs.column(column).get(row));
            }
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
        }
        return groups;
    }

    @SuppressWarnings("unchecked")
    private static Column<?> firstValues(Column<?> source, Map<List<Object>, List<Integer>> groups) {
        Column<Object> typed = (Column<Object>) source;
        Column<Object> out = typed.emptyCopy();
        for (List<Integer> rows : groups.values()) {
            out.append(typed, rows.get(0));
        }
        return out;
    }

    private static NumberColumn<?, ?> metricColumn(Table runs, String metric) {
        Column<?> column = runs.column(metric);
        if (!(column instanceof NumberColumn<?, ?> numbers)) {
            throw new IllegalArgumentException(
                    "metric column '" + metric + "' is not numeric (" + column.type() + ")");
        }
        return numbers;
    }

    private static double[] valuesAt(NumberColumn<?, ?> column, List<Integer> rows) {
        double[] values = new double[rows.size()];
        for (int i = 0; i < values.length; i++) {
            int row = rows.get(i);
            values[i] = column.isMissing(row) ? Double.NaN : column.getDouble(row);
        }
        return values;
    }
}
