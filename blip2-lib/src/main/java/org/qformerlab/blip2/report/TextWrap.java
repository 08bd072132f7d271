package org.qformerlab.blip2.report;

import java.awt.FontMetrics;
import java.util.ArrayList;
import java.util.List;

/**
 * Greedy word wrapping to a pixel width. A word wider than the whole line is split between
 * characters; text beyond the line limit is cut and the last kept line ends with an ellipsis.
 */
final class TextWrap {

    static final String ELLIPSIS = "\u2026";

    private TextWrap() {
    }

    static List<String> wrap(String text, FontMetrics metrics, int width, int maxLines) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.trim().split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            String candidate = line.length() == 0 ? word : line + " " + word;
            if (metrics.stringWidth(candidate) <= width) {
                line.setLength(0);
                line.append(candidate);
                continue;
            }
            if (line.length() > 0) {
                lines.add(line.toString());
                line.setLength(0);
            }
            String rest = word;
            while (metrics.stringWidth(rest) > width && rest.length() > 1) {
                int fits = charactersThatFit(rest, metrics, width);
                lines.add(rest.substring(0, fits));
                rest = rest.substring(fits);
            }
            line.append(rest);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return truncate(lines, metrics, width, maxLines);
    }

    private static int charactersThatFit(String word, FontMetrics metrics, int width) {
        int fits = 1;
        while (fits < word.length() && metrics.stringWidth(word.substring(0, fits + 1)) <= width) {
            fits++;
        }
        return fits;
    }

    private static List<String> truncate(List<String> lines, FontMetrics metrics, int width, int maxLines) {
        if (lines.size() <= maxLines) {
            return lines;
        }
        List<String> kept = new ArrayList<>(lines.subList(0, maxLines));
        String last = kept.get(maxLines - 1);
        while (!last.isEmpty() && metrics.stringWidth(last + ELLIPSIS) > width) {
            last = last.substring(0, last.length() - 1);
        }
        kept.set(maxLines - 1, last + ELLIPSIS);
        return kept;
    }
}
