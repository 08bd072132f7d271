package org.qformerlab.blip2.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The self-attention mask of one stage-1 branch (ITC, ITM, ITG) over [Q queries ; T text tokens], as
 * a config names it ({@code objective.itcMask}, {@code itmMask}, {@code itgMask}). Three forms:
 *
 * <ul>
 *   <li>a standard mask by name ({@link StandardMask}): {@code itcMask: UNIMODAL};
 *   <li>block rules over queries and text ({@link BlockMask}):
 *       {@code itgMask: {rules: {queries->queries: all, queries->text: none, text->queries: all, text->text: causal}}};
 *   <li>an explicit matrix ({@link MatrixMask}): {@code itmMask: {matrix: ["##|#..", ...]}}.
 * </ul>
 *
 * Padding is not part of the mask: it is combined with every mask when a batch runs (padded keys
 * are blocked). {@link MaskRules} says what a mask must satisfy; the Q-Former's
 * {@code AttentionMask.of} turns a spec into the matrix it runs.
 */
@JsonDeserialize(using = MaskSpec.Reader.class)
public sealed interface MaskSpec permits StandardMask, BlockMask, MatrixMask {

    /** A short description for drawings and messages. */
    String label();

    /** Whether position {@code row} may attend to position {@code col} of [Q queries ; T text]. */
    boolean allows(int row, int col, int numQueries, int textLength);

    /** The [Q+T, Q+T] matrix, {@code allowed[row][col]}. */
    default boolean[][] matrix(int numQueries, int textLength) {
        int s = numQueries + textLength;
        boolean[][] a = new boolean[s][s];
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < s; j++) {
                a[i][j] = allows(i, j, numQueries, textLength);
            }
        }
        return a;
    }

    /** Reads the three forms from YAML or JSON (see the interface's comment). */
    final class Reader extends StdDeserializer<MaskSpec> {

        private static final String FORMS = "write UNIMODAL, MULTIMODAL_CAUSAL or BIDIRECTIONAL, block rules"
                + " {rules: {queries->queries: all, queries->text: none, text->queries: all, text->text: causal}},"
                + " or a matrix {matrix: [\"##|#..\", ...]}";

        public Reader() {
            super(MaskSpec.class);
        }

        @Override
        public MaskSpec deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String field = p.currentName() == null ? "mask" : p.currentName();
            return read(field, p.readValueAsTree());
        }

        static MaskSpec read(String field, JsonNode node) {
            if (node.isTextual()) {
                StandardMask m = StandardMask.named(node.asText());
                if (m == null) {
                    throw new ConfigException(field + ": unknown mask '" + node.asText() + "'; " + FORMS);
                }
                return m;
            }
            if (!node.isObject()) {
                throw new ConfigException(field + ": a mask cannot be " + node.getNodeType() + "; " + FORMS);
            }
            Set<String> known = Set.of("name", "rules", "matrix");
            node.fieldNames().forEachRemaining(f -> {
                if (!known.contains(f)) {
                    throw new ConfigException(field + ": unknown mask field '" + f + "'; known: name, rules, matrix");
                }
            });
            String name = node.hasNonNull("name") ? node.get("name").asText() : null;
            boolean rules = node.hasNonNull("rules");
            boolean matrix = node.hasNonNull("matrix");
            if (rules == matrix) {
                throw new ConfigException(field + ": a custom mask takes either rules or matrix"
                        + (rules ? ", not both" : "") + "; " + FORMS);
            }
            try {
                return rules ? blocks(name, node.get("rules")) : matrix(name, node.get("matrix"));
            } catch (ConfigException e) {
                throw new ConfigException(field + ": " + e.getMessage()); // the field, not the cause, is what a reader needs
            }
        }

        private static BlockMask blocks(String name, JsonNode rules) {
            if (!rules.isObject()) {
                throw new ConfigException("rules must map each of " + BlockMask.RULES + " to all, none, causal or self");
            }
            Map<String, BlockMask.Block> map = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = rules.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String rule = e.getKey().replace(" ", "");
                if (!BlockMask.RULES.contains(rule)) {
                    throw new ConfigException("unknown mask rule '" + e.getKey() + "'; the rules are " + BlockMask.RULES);
                }
                String value = e.getValue().asText().trim().toUpperCase(java.util.Locale.ROOT);
                try {
                    map.put(rule, BlockMask.Block.valueOf(value));
                } catch (IllegalArgumentException bad) {
                    throw new ConfigException("mask rule '" + rule + ": " + e.getValue().asText()
                            + "' is not a block; write all, none, causal or self");
                }
            }
            return BlockMask.of(name, map);
        }

        private static MatrixMask matrix(String name, JsonNode matrix) {
            if (!matrix.isArray()) {
                throw new ConfigException("matrix must be a list of rows");
            }
            List<String> rows = new ArrayList<>();
            for (JsonNode row : matrix) {
                if (row.isTextual()) {
                    rows.add(row.asText());
                } else if (row.isArray()) {
                    StringBuilder sb = new StringBuilder();
                    for (JsonNode cell : row) {
                        if (cell.isBoolean()) {
                            sb.append(cell.asBoolean() ? '#' : '.');
                        } else if (cell.isInt() && (cell.asInt() == 0 || cell.asInt() == 1)) {
                            sb.append(cell.asInt() == 1 ? '#' : '.');
                        } else {
                            throw new ConfigException("mask matrix row " + rows.size() + " has the cell " + cell
                                    + "; cells are true/false or 1/0");
                        }
                    }
                    rows.add(sb.toString());
                } else {
                    throw new ConfigException("mask matrix row " + rows.size() + " is " + row.getNodeType()
                            + "; write each row as a string (\"##..\") or a list of true/false");
                }
            }
            return new MatrixMask(name, rows);
        }
    }
}
