package org.qformerlab.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a notebook cell into Java and magics. A cell whose first line starts with {@code %%} is a
 * cell magic, and the rest of the cell is its body. Otherwise each line starting with {@code %} is a
 * line magic, and the lines between magics are Java, run in order:
 *
 * <pre>
 * %qformer tiny            &lt;- line magic
 * qformer.config()         &lt;- Java, whose value the cell displays
 * </pre>
 */
public final class CellParser {

    /** A piece of a cell. */
    public sealed interface Part permits Java, Magic {}

    /** Java source, starting at {@code firstLine} (1-based) of the cell. */
    public record Java(String code, int firstLine) implements Part {}

    /**
     * A magic call.
     *
     * @param name the magic's name without percent signs
     * @param words the words after the name (quotes removed)
     * @param body the rest of the cell for a cell magic, null for a line magic
     * @param cell whether it was written {@code %%name}
     * @param line the text after the name as written (for magics that take Java, such as {@code %time})
     */
    public record Magic(String name, List<String> words, String body, boolean cell, String line) implements Part {
        public Magic(String name, List<String> words, String body, boolean cell) {
            this(name, words, body, cell, String.join(" ", words));
        }
    }

    private CellParser() {}

    public static List<Part> parse(String cell) {
        String text = cell.replace("\r\n", "\n");
        String stripped = text.stripLeading();
        if (stripped.startsWith("%%")) {
            int nl = stripped.indexOf('\n');
            String head = nl < 0 ? stripped : stripped.substring(0, nl);
            String body = nl < 0 ? "" : stripped.substring(nl + 1);
            List<String> words = split(head.substring(2));
            String name = words.isEmpty() ? "" : words.get(0);
            return List.of(new Magic(name, words.isEmpty() ? List.of() : words.subList(1, words.size()), body, true,
                    afterName(head.substring(2))));
        }
        List<Part> parts = new ArrayList<>();
        StringBuilder java = new StringBuilder();
        int javaStart = 1;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.stripLeading().startsWith("%")) {
                flush(parts, java, javaStart);
                List<String> words = split(line.stripLeading().substring(1));
                String name = words.isEmpty() ? "" : words.get(0);
                parts.add(new Magic(name, words.isEmpty() ? List.of() : words.subList(1, words.size()), null, false,
                        afterName(line.stripLeading().substring(1))));
                javaStart = i + 2;
            } else {
                if (java.length() == 0) {
                    javaStart = i + 1;
                }
                java.append(line).append('\n');
            }
        }
        flush(parts, java, javaStart);
        return parts;
    }

    /** The text after the magic's name, as written. */
    private static String afterName(String call) {
        String s = call.stripLeading();
        int i = 0;
        while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return s.substring(i).strip();
    }

    private static void flush(List<Part> parts, StringBuilder java, int firstLine) {
        if (!java.toString().isBlank()) {
            parts.add(new Java(java.toString(), firstLine));
        }
        java.setLength(0);
    }

    /** Splits magic arguments at blanks; double or single quotes group, backslash escapes. */
    static List<String> split(String args) {
        List<String> words = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < args.length(); i++) {
            char c = args.charAt(i);
            if (c == '\\' && i + 1 < args.length()) {
                current.append(args.charAt(++i));
                inWord = true;
            } else if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    current.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(current.toString());
                    current.setLength(0);
                    inWord = false;
                }
            } else {
                current.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(current.toString());
        }
        return words;
    }
}
