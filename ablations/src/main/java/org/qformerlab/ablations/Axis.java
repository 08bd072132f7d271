package org.qformerlab.ablations;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One thing a study varies: a dotted config path and the values it takes, e.g.
 * {@code {path: qformer.numQueries, values: [4, 8, 16, 32, 64]}}.
 *
 * @param path the dotted config path the values go to
 * @param name a short column name for tables and plots (default: the path's last segment)
 * @param values the values, in the order variants are listed
 * @param labels optional human labels, one per value (e.g. {@code ITC+ITM} for {@code itgWeight: 0})
 */
public record Axis(String path, String name, List<JsonNode> values, List<String> labels) {

    /** The column name: {@link #name()} if given, else the path's last segment. */
    public String columnName() {
        if (name != null && !name.isBlank()) {
            return name;
        }
        return path.substring(path.lastIndexOf('.') + 1);
    }

    /** True when every value is a number, so that a metric can be plotted against this axis. */
    public boolean numeric() {
        return !values.isEmpty() && values.stream().allMatch(JsonNode::isNumber);
    }

    /** The label of value {@code i}: its human label if given, else {@code name=value}. */
    public String label(int i) {
        if (labels != null) {
            return labels.get(i);
        }
        return columnName() + "=" + text(values.get(i));
    }

    /** A value as a table cell: its label if labels are given, else the number or the text. */
    public Object cell(int i) {
        if (labels != null) {
            return labels.get(i);
        }
        JsonNode v = values.get(i);
        return v.isNumber() ? (Object) v.doubleValue() : text(v);
    }

    static String text(JsonNode v) {
        return v.isValueNode() ? v.asText() : v.toString();
    }
}
