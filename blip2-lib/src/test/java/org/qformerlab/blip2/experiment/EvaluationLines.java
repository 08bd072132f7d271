package org.qformerlab.blip2.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The counted {@code evaluation d/t units | note} lines of a run's log, checked as a progress bar reads them. */
final class EvaluationLines {

    private static final Pattern LINE = Pattern.compile("^evaluation (\\d+)/(\\d+) units \\| (.*)$");

    /** One line: work done, the total, what was under way. */
    record Line(long done, long total, String note) {}

    private EvaluationLines() {}

    static List<Line> of(String log) {
        return log.lines().map(LINE::matcher).filter(Matcher::matches)
                .map(m -> new Line(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), m.group(3))).toList();
    }

    /**
     * Asserts a bar of {@code total} units that starts at 0 with {@code firstNote}, only grows, ticks
     * at least {@code minimumInside} times strictly between start and end while {@code firstNote} is
     * under way, and ends once, at the total, with "done".
     */
    static void assertCountedBar(String log, long total, String firstNote, int minimumInside) {
        List<Line> lines = of(log);
        assertTrue(lines.size() >= 2, "counted evaluation lines in\n" + log);
        assertEquals(new Line(0, total, firstNote), lines.get(0), "the first line\n" + log);
        assertEquals(new Line(total, total, "done"), lines.get(lines.size() - 1), "the last line\n" + log);
        for (int i = 1; i < lines.size(); i++) {
            assertEquals(total, lines.get(i).total(), "one total: " + lines);
            assertTrue(lines.get(i).done() >= lines.get(i - 1).done(), "the count only grows: " + lines);
        }
        assertEquals(1, lines.stream().filter(l -> l.done() == total).count(), "one finishing line: " + lines);
        long inside = lines.stream().filter(l -> l.note().equals(firstNote) && l.done() > 0 && l.done() < total).count();
        assertTrue(inside >= minimumInside, "at least " + minimumInside + " ticks within '" + firstNote + "': " + lines);
    }
}
