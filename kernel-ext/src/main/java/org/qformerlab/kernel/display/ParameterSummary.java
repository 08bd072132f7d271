package org.qformerlab.kernel.display;

import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.report.Tables;
import tech.tablesaw.api.Table;

/**
 * Where a Q-Former's parameters are: the learned queries, the shared embeddings, self-attention,
 * cross-attention (only in every {@code crossAttentionFreq}-th layer), the two feed-forward paths
 * (queries and text have their own), and the stage-1 heads. Parameters are grouped by their LAVIS
 * names, counted once each (the LM head's decoder is tied to the word embeddings), and split into
 * trainable and frozen.
 */
public final class ParameterSummary {

    /** One part of the model. */
    public record Part(String name, long parameters, long trainable) {
        public long frozen() {
            return parameters - trainable;
        }
    }

    private static final String[] ORDER = {
        "query tokens", "embeddings", "self-attention", "cross-attention", "FFN (queries)", "FFN (text)",
        "ln_vision", "ITC projections + temperature", "ITM head", "ITG head (LM)", "other"
    };

    private final List<Part> parts;

    private ParameterSummary(List<Part> parts) {
        this.parts = List.copyOf(parts);
    }

    /** Counts the parameters of {@code model} by part. */
    public static ParameterSummary of(Blip2QFormer model) {
        Map<String, long[]> counts = new LinkedHashMap<>();
        for (String part : ORDER) {
            counts.put(part, new long[2]);
        }
        Map<Parameter, Boolean> seen = new IdentityHashMap<>();
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            Parameter p = e.getValue();
            if (seen.put(p, Boolean.TRUE) != null) {
                continue;
            }
            long n = p.getShape().size();
            long[] c = counts.get(partOf(e.getKey()));
            c[0] += n;
            if (p.requiresGradient()) {
                c[1] += n;
            }
        }
        List<Part> parts = new ArrayList<>();
        counts.forEach((name, c) -> {
            if (c[0] > 0) {
                parts.add(new Part(name, c[0], c[1]));
            }
        });
        return new ParameterSummary(parts);
    }

    /** The part a LAVIS parameter name belongs to. */
    static String partOf(String name) {
        if (name.equals("query_tokens")) {
            return "query tokens";
        }
        if (name.startsWith("Qformer.bert.embeddings.")) {
            return "embeddings";
        }
        if (name.startsWith("Qformer.bert.encoder.layer.")) {
            String rest = name.substring(name.indexOf('.', "Qformer.bert.encoder.layer.".length()) + 1);
            if (rest.startsWith("attention.")) {
                return "self-attention";
            }
            if (rest.startsWith("crossattention.")) {
                return "cross-attention";
            }
            if (rest.startsWith("intermediate_query.") || rest.startsWith("output_query.")) {
                return "FFN (queries)";
            }
            if (rest.startsWith("intermediate.") || rest.startsWith("output.")) {
                return "FFN (text)";
            }
        }
        if (name.startsWith("Qformer.cls.")) {
            return "ITG head (LM)";
        }
        if (name.startsWith("ln_vision.")) {
            return "ln_vision";
        }
        if (name.startsWith("vision_proj.") || name.startsWith("text_proj.") || name.equals("temp")) {
            return "ITC projections + temperature";
        }
        if (name.startsWith("itm_head.")) {
            return "ITM head";
        }
        return "other";
    }

    public List<Part> parts() {
        return parts;
    }

    /** The part called {@code name}, or a part of zero parameters. */
    public Part part(String name) {
        return parts.stream().filter(p -> p.name().equals(name)).findFirst().orElse(new Part(name, 0, 0));
    }

    public long total() {
        return parts.stream().mapToLong(Part::parameters).sum();
    }

    public long trainable() {
        return parts.stream().mapToLong(Part::trainable).sum();
    }

    /** The summary as a table: part, parameters, trainable, frozen, share of the total; then a total row. */
    public Table table() {
        List<Map<String, Object>> rows = new ArrayList<>();
        long total = total();
        for (Part p : parts) {
            rows.add(row(p.name(), p.parameters(), p.trainable(), p.frozen(), total));
        }
        rows.add(row("total", total, trainable(), total - trainable(), total));
        return Tables.fromRows("parameters", rows);
    }

    private static Map<String, Object> row(String part, long n, long trainable, long frozen, long total) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("part", part);
        row.put("parameters", n);
        row.put("trainable", trainable);
        row.put("frozen", frozen);
        row.put("share %", total == 0 ? 0.0 : Math.round(1000.0 * n / total) / 10.0);
        return row;
    }

    @Override
    public String toString() {
        return table().print();
    }
}
