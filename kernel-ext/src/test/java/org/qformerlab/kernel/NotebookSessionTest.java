package org.qformerlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.qformer.AttentionMask;
import org.qformerlab.blip2.report.ImageGrid;
import org.qformerlab.kernel.jshell.CellInterruptedException;
import org.qformerlab.kernel.jshell.CompileException;
import org.qformerlab.kernel.jshell.JavaEvaluator;
import org.qformerlab.kernel.jshell.UserCodeException;
import org.qformerlab.kernel.magic.MagicUsageException;
import org.qformerlab.kernel.magic.Magics;
import tech.tablesaw.api.Table;

/** A notebook session without the wire protocol: Java, errors, interrupts and magics. */
class NotebookSessionTest extends SessionTest {

    @Test
    void theLastExpressionIsTheCellsValueAsAnObject() {
        assertEquals(42, value("int half = 21;\nhalf * 2"));
        assertEquals(List.of(1, 2), value("List.of(1, 2)"));
        assertFalse(session.execute("int unused = 3;").hasValue());
    }

    @Test
    void compileErrorsQuoteTheLineWithACaret() {
        CompileException e = assertThrows(CompileException.class, () -> session.execute("int ok = 1;\nint y = \"text\";"));
        assertTrue(e.getMessage().contains("incompatible types"), e.getMessage());
        List<String> lines = ErrorReport.of(e).traceback();
        assertTrue(lines.stream().anyMatch(l -> l.contains("line 2: int y = \"text\";")), lines.toString());
        String quoted = lines.stream().filter(l -> l.contains("line 2:")).findFirst().orElseThrow();
        String caret = lines.get(lines.indexOf(quoted) + 1);
        assertEquals(quoted.indexOf("\"text\""), caret.indexOf('^'), "caret under the string literal:\n" + quoted + "\n" + caret);
    }

    @Test
    void exceptionsReadAsJavaWithTheCellsFramesAndTheKernelSurvives() {
        session.execute("void fail(String why) { throw new IllegalStateException(why); }");
        UserCodeException e = assertThrows(UserCodeException.class, () -> session.execute("fail(\"boom\");"));
        ErrorReport report = ErrorReport.of(e);
        assertEquals("java.lang.IllegalStateException", report.name());
        assertEquals("java.lang.IllegalStateException: boom", report.traceback().get(0));
        assertTrue(report.traceback().get(1).contains("at fail (snippet #"), report.traceback().toString());
        assertTrue(report.traceback().stream().noneMatch(l -> l.contains("org.qformerlab.kernel")
                || l.contains("jdk.internal")), "no kernel machinery: " + report.traceback());
        assertEquals(5, value("2 + 3"));
    }

    @Test
    void aBusyLoopIsInterruptedAndTheSessionGoesOn() throws Exception {
        CompletableFuture<Throwable> cell = CompletableFuture.supplyAsync(() -> {
            try {
                session.execute("long spins = 0;\nwhile (true) { spins++; }");
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        // Interrupt until the cell ends: an interrupt while JShell still compiles finds nothing running.
        Throwable outcome = null;
        for (int i = 0; i < 120 && outcome == null; i++) {
            TimeUnit.MILLISECONDS.sleep(500);
            session.interrupt();
            try {
                outcome = cell.get(10, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException stillRunning) {
                // keep interrupting
            }
        }
        assertInstanceOf(CellInterruptedException.class, outcome);
        assertEquals("still alive", value("\"still alive\""));
    }

    @Test
    void qformerMagicBindsTheModelAndShowsItsParameters() {
        session.execute("%qformer tiny --queries 6 --as small");
        assertEquals(6, value("small.config().numQueries()"));
        Table table = sink.displayed(Table.class).get(sink.displayed(Table.class).size() - 1);
        assertEquals("total", table.stringColumn("part").get(table.rowCount() - 1));
        assertEquals(6, session.state().currentVariant().orElseThrow().numQueries());
    }

    @Test
    void badMagicArgumentsGiveTheUsageNotAStackTrace() {
        MagicUsageException e = assertThrows(MagicUsageException.class, () -> session.execute("%qformer tiny --queries many"));
        assertEquals("--queries wants a whole number, got 'many'", e.getMessage());
        List<String> lines = ErrorReport.of(e).traceback();
        assertTrue(lines.get(1).startsWith("usage: %qformer [tiny|embedded|paper] [--queries N]"), lines.toString());
        assertThrows(MagicUsageException.class, () -> session.execute("%qformer huge"));
        assertThrows(MagicUsageException.class, () -> session.execute("%nosuchmagic"));

        MagicFailedException invalid = assertThrows(MagicFailedException.class,
                () -> session.execute("%qformer tiny --heads 5"));
        assertTrue(invalid.inputError());
        assertTrue(invalid.getMessage().contains("hiddenSize=32 must be divisible by numHeads=5"), invalid.getMessage());
        assertEquals(1, ErrorReport.of(invalid).traceback().size(), "the message only");
    }

    @Test
    void masksMagicDrawsTheThreeMasks() {
        int before = sink.displayed(AttentionMask.class).size();
        session.execute("%masks --queries 2 --text 3");
        List<AttentionMask> masks = sink.displayed(AttentionMask.class);
        List<AttentionMask> drawn = masks.subList(before, masks.size());
        assertEquals(3, drawn.size());
        assertFalse(drawn.get(0).allows(0, 2), "ITC: a query does not see text");
        assertTrue(drawn.get(1).allows(2, 0) && !drawn.get(1).allows(2, 3), "ITG: text sees queries, not the future");
        assertTrue(drawn.get(2).allows(0, 4), "ITM: all see all");
    }

    @Test
    void configCellBecomesAValidatedRecord() {
        session.execute("%%config train --as quick\nsteps: 10\nbatchSize: 4\n");
        assertEquals(10, value("quick.steps()"));
        MagicFailedException unknown = assertThrows(MagicFailedException.class,
                () -> session.execute("%%config train\nstepz: 10\n"));
        assertTrue(unknown.getMessage().contains("unknown field 'stepz'"), unknown.getMessage());
        MagicFailedException invalid = assertThrows(MagicFailedException.class,
                () -> session.execute("%%config qformer --preset tiny\n{\"numQueries\": 0}"));
        assertTrue(invalid.getMessage().contains("numQueries=0 must be at least 1"), invalid.getMessage());
        session.execute("%%config org.qformerlab.blip2.config.ObjectiveConfig --preset blip2 --as weights\nitgWeight: 0\n");
        assertEquals(0.0, value("weights.itgWeight()"));
    }

    @Test
    void dataMagicShowsAGridAndCanBindTheSamples() {
        session.execute("%data shapes --n 2 --seed 3 --as two");
        assertEquals(2, value("two.size()"));
        assertEquals(64, value("two.get(0).image().getWidth()"), "typed as List<Sample>");
        assertFalse(sink.displayed(ImageGrid.class).isEmpty());
    }

    @Test
    void magicsAndJavaMixInOneCell() {
        assertEquals(4, value("%qformer tiny\nqformer.config().numQueries()"));
    }

    @Test
    void completionFindsProjectClasses() {
        JavaEvaluator.Completions c = session.complete("Blip2QF", 7);
        assertTrue(c.candidates().contains("Blip2QFormer"), c.candidates().toString());
        assertEquals(0, c.start());
        JavaEvaluator.Completions magics = session.complete("%qfo", 4);
        assertEquals(List.of("qformer"), magics.candidates());
        assertEquals(1, magics.start());
    }

    @Test
    void inspectShowsTheSignature() {
        String code = "QFormerConfig.tiny(";
        String doc = session.inspect(code, code.length()).orElseThrow();
        assertTrue(doc.contains("org.qformerlab.blip2.config.QFormerConfig.tiny()"), doc);
    }

    @Test
    void stage2TasksWithoutTheirRunSaySoWithoutAStackTrace() {
        org.qformerlab.kernel.magic.MagicUsageException train = org.junit.jupiter.api.Assertions.assertThrows(
                org.qformerlab.kernel.magic.MagicUsageException.class, () -> session.execute("%train stage2 --steps 10"));
        assertTrue(train.getMessage().contains("no stage-1 run in this notebook yet"), train.getMessage());
        assertTrue(train.getMessage().contains("--scratch"), "the message names the way out: " + train.getMessage());
        org.qformerlab.kernel.magic.MagicUsageException caption = org.junit.jupiter.api.Assertions.assertThrows(
                org.qformerlab.kernel.magic.MagicUsageException.class, () -> session.execute("%eval caption"));
        assertTrue(caption.getMessage().contains("no stage-2 run in this notebook yet"), caption.getMessage());
        org.qformerlab.kernel.magic.MagicUsageException binding = org.junit.jupiter.api.Assertions.assertThrows(
                org.qformerlab.kernel.magic.MagicUsageException.class, () -> session.execute("%eval binding"));
        assertTrue(binding.getMessage().contains("no stage-1 run in this notebook yet"), binding.getMessage());

        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        System.setOut(new java.io.PrintStream(out, true));
        try {
            session.execute("%help train");
            session.execute("%help eval");
        } finally {
            System.setOut(old);
        }
        assertTrue(out.toString().contains("usage: %train stage1|stage2"), out.toString());
        assertTrue(out.toString().contains("--scratch"), out.toString());
        assertTrue(out.toString().contains("usage: %eval retrieval|binding|caption|vqa"), out.toString());
        assertFalse(out.toString().contains("not in this build yet"), out.toString());
    }
}
