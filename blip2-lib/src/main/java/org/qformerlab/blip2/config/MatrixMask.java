package org.qformerlab.blip2.config;

import static org.qformerlab.blip2.config.ConfigException.require;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A custom mask written out cell by cell: one row per position of [queries ; text], {@code #} (or
 * {@code 1}) where the row may attend to the column, {@code .} (or {@code 0}) where it may not;
 * spaces and {@code |} are ignored, so the query and text columns can be set apart. The matrix is
 * [Q+T, Q+T] for the config's {@code qformer.numQueries} and {@code qformer.maxTextLength}; a batch
 * of shorter texts uses its top-left corner (the positions it has). In YAML, for 2 queries and 3
 * text tokens:
 *
 * <pre>
 * itmMask:
 *   name: queries read the first word
 *   matrix:
 *     - "##|#.."
 *     - "##|#.."
 *     - "##|###"
 *     - "##|###"
 *     - "##|###"
 * </pre>
 *
 * Lists of booleans or of 0/1 ({@code [[true, true, false], ...]}) are read too.
 *
 * @param name what to call the mask in drawings and messages (optional)
 * @param rows the rows, each a string of {@code #} and {@code .}, as many characters as rows
 */
public record MatrixMask(String name, List<String> rows) implements MaskSpec {

    public MatrixMask {
        require(rows != null && !rows.isEmpty(), "mask matrix is empty: give one row per position of [queries ; text]");
        List<String> clean = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            String row = rows.get(i) == null ? "" : rows.get(i);
            StringBuilder sb = new StringBuilder();
            for (char ch : row.toCharArray()) {
                switch (ch) {
                    case '#', '1' -> sb.append('#');
                    case '.', '0' -> sb.append('.');
                    case ' ', '|' -> { }
                    default -> throw new ConfigException("mask matrix row " + i + " ('" + row + "') has '" + ch
                            + "': write # (may attend) or . (may not), optionally split by spaces or |");
                }
            }
            clean.add(sb.toString());
        }
        for (int i = 0; i < clean.size(); i++) {
            require(clean.get(i).length() == clean.size(),
                    "mask matrix row " + i + " has " + clean.get(i).length() + " columns but the matrix has "
                            + clean.size() + " rows: it must be square, one row and one column per position");
        }
        rows = List.copyOf(clean);
    }

    /** From a boolean matrix, {@code allowed[row][col]}. */
    public static MatrixMask of(String name, boolean[][] allowed) {
        List<String> rows = new ArrayList<>(allowed.length);
        for (boolean[] r : allowed) {
            StringBuilder sb = new StringBuilder();
            for (boolean a : r) {
                sb.append(a ? '#' : '.');
            }
            rows.add(sb.toString());
        }
        return new MatrixMask(name, rows);
    }

    /** This matrix under another name (null: described by its size). */
    public MatrixMask withName(String name) {
        return new MatrixMask(name, rows);
    }

    /** Another matrix under this name. */
    public MatrixMask withRows(List<String> rows) {
        return new MatrixMask(name, rows);
    }

    /** Positions per side: Q + T. */
    public int size() {
        return rows.size();
    }

    @Override
    public String label() {
        return name != null ? name : size() + "x" + size() + " matrix";
    }

    @Override
    public boolean allows(int row, int col, int numQueries, int textLength) {
        if (numQueries + textLength > size()) {
            throw new ConfigException("mask '" + label() + "' is " + size() + "x" + size() + " but [queries ; text] has "
                    + numQueries + " + " + textLength + " = " + (numQueries + textLength)
                    + " positions: give a matrix of that size, or block rules, which fit any size");
        }
        return rows.get(row).charAt(col) == '#';
    }

    /** As a config writes it: {@code {name, matrix: ["##..", ...]}}. */
    @JsonValue
    public Map<String, Object> json() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (name != null) {
            out.put("name", name);
        }
        out.put("matrix", rows);
        return out;
    }
}
