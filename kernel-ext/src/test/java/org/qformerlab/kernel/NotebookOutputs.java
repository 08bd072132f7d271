package org.qformerlab.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What is wrong with an executed notebook: error outputs; a cell tagged {@code expect-png} or
 * {@code expect-html} without that output; a notebook that shows no picture ({@code image/png}) or
 * no table ({@code text/html}) at all.
 */
final class NotebookOutputs {

    private NotebookOutputs() {}

    static List<String> problems(String name, JsonNode notebook) {
        List<String> problems = new ArrayList<>();
        Set<String> all = new TreeSet<>();
        for (JsonNode cell : notebook.path("cells")) {
            if (!"code".equals(cell.path("cell_type").asText())) {
                continue;
            }
            Set<String> mimes = new TreeSet<>();
            for (JsonNode output : cell.path("outputs")) {
                if ("error".equals(output.path("output_type").asText())) {
                    List<String> tb = new ArrayList<>();
                    output.path("traceback").forEach(l -> tb.add(l.asText()));
                    problems.add(name + ": a cell failed with " + output.path("ename").asText() + ": "
                            + output.path("evalue").asText() + "\n" + source(cell) + "\n" + String.join("\n", tb));
                }
                output.path("data").fieldNames().forEachRemaining(mimes::add);
            }
            all.addAll(mimes);
            for (JsonNode tag : cell.path("metadata").path("tags")) {
                String expected = switch (tag.asText()) {
                    case "expect-png" -> "image/png";
                    case "expect-html" -> "text/html";
                    default -> null;
                };
                if (expected != null && !mimes.contains(expected)) {
                    problems.add(name + ": the cell tagged " + tag.asText() + " showed " + mimes + ", not "
                            + expected + ":\n" + source(cell));
                }
            }
        }
        if (!all.contains("image/png")) {
            problems.add(name + " showed no picture (image/png); outputs: " + all);
        }
        if (!all.contains("text/html")) {
            problems.add(name + " showed no table (text/html); outputs: " + all);
        }
        return problems;
    }

    static String source(JsonNode cell) {
        JsonNode src = cell.path("source");
        if (src.isArray()) {
            StringBuilder sb = new StringBuilder();
            src.forEach(l -> sb.append(l.asText()));
            return sb.toString();
        }
        return src.asText();
    }
}
