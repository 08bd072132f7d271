package org.qformerlab.blip2.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Counted progress lines: when they are printed, and what they say. */
class CountedProgressTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private List<String> lines() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void aLineAtTheStartAtEachNewNoteAtEachTwentiethAndAtTheEnd() {
        CountedProgress p = new CountedProgress(log, "evaluation", 200, "units");
        p.advance(0, "test split");
        for (int i = 0; i < 12; i++) {
            p.advance(3, "test split"); // 36 of 200: the twentieths 10, 20 and 30 are crossed at 12, 21 and 30
        }
        p.advance(64, "compositional split"); // a new note is shown at once
        p.advance(100, "compositional split"); // 200: the total is the finishing line's, not this one's
        p.finish("done");
        assertEquals(List.of(
                "evaluation 0/200 units | test split",
                "evaluation 12/200 units | test split",
                "evaluation 21/200 units | test split",
                "evaluation 30/200 units | test split",
                "evaluation 100/200 units | compositional split",
                "evaluation 200/200 units | done"), lines());
    }

    @Test
    void howeverFineTheCountAPhasePrintsAboutTwentyLines() {
        CountedProgress p = new CountedProgress(log, "evaluation", 100_000, "units");
        for (int i = 0; i < 100_000; i++) {
            p.advance(1, "test split");
        }
        p.finish("done");
        List<String> lines = lines();
        assertEquals(CountedProgress.LINES + 1, lines.size(), "the start line, nineteen twentieths, the end: " + lines);
        assertEquals("evaluation 5000/100000 units | test split", lines.get(1));
        assertEquals("evaluation 100000/100000 units | done", lines.get(lines.size() - 1));
        assertEquals(1, lines.stream().filter(l -> l.startsWith("evaluation 100000/")).count(), "one finishing line");
    }

    @Test
    void aSilentPhaseOrOneWithoutWorkPrintsNothing() {
        CountedProgress silent = CountedProgress.silent();
        silent.advance(5, "x");
        silent.finish("done");
        CountedProgress empty = new CountedProgress(log, "evaluation", 0, "units");
        empty.advance(0, "test split");
        empty.finish("done");
        assertTrue(lines().isEmpty(), lines().toString());
    }

    @Test
    void theLabelIsLowerCaseWordsAsANotebookReadsIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CountedProgress(log, "Stage 2 evaluation", 10, "units"));
        assertTrue(e.getMessage().contains("'Stage 2 evaluation'"), e.getMessage());
    }
}
