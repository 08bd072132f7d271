package org.qformerlab.blip2.report;

import java.util.Locale;

/** Small pieces of Markdown syntax: one-line text, code fences, image alt text, file-name slugs. */
final class MarkdownText {

    private static final int MAX_SLUG = 40;

    private MarkdownText() {
    }

    /** Collapses line breaks so the text stays on one line (headings, list items, alt text). */
    static String oneLine(String text) {
        return text.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    /** A backtick fence longer than any run of backticks inside {@code code} (at least three). */
    static String fenceFor(String code) {
        int longest = 0;
        int run = 0;
        for (int i = 0; i < code.length(); i++) {
            run = code.charAt(i) == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        return "`".repeat(Math.max(3, longest + 1));
    }

    /** Alt text with the brackets that would end it escaped. */
    static String altText(String text) {
        return oneLine(text).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]");
    }

    /** A lower-case file-name fragment: letters and digits joined by '-', e.g. "loss-curves". */
    static String slug(String text) {
        String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        if (slug.length() > MAX_SLUG) {
            slug = slug.substring(0, MAX_SLUG).replaceAll("-$", "");
        }
        return slug.isEmpty() ? "figure" : slug;
    }
}
