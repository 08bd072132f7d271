package org.qformerlab.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.qformerlab.kernel.jshell.JavaEvaluator;
import org.qformerlab.kernel.magic.Magics;

/**
 * What a test of a notebook session without the wire protocol starts from: one session per test
 * class (its own fields, so classes cannot share one even when run in parallel), with the standard
 * magics and this JVM's class path, whose displays land in {@link #sink}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SessionTest {

    RecordingSink sink;
    NotebookSession session;

    @BeforeAll
    void start() {
        sink = new RecordingSink();
        session = new NotebookSession(sink, Magics.standard(), System.getProperty("java.class.path"));
    }

    @AfterAll
    void stop() {
        session.close();
    }

    /** Runs {@code cell}, which must end in an expression, and returns its value. */
    Object value(String cell) {
        JavaEvaluator.Result r = session.execute(cell);
        assertTrue(r.hasValue(), "cell should end in an expression: " + cell);
        return r.value();
    }
}
