package org.qformerlab.kernel.magic;

import ai.djl.ndarray.NDManager;
import org.qformerlab.kernel.display.DisplaySink;

/** What a magic may do to the notebook. */
public interface MagicContext {

    /** Where displays go (rich output, updatable by id). */
    DisplaySink displays();

    /** Shows {@code value} as a new output; returns its display id. */
    default String display(Object value) {
        return displays().display(value);
    }

    /** Prints a line of text to the cell's output. */
    void println(String text);

    /**
     * Binds {@code value} to the notebook variable {@code name} with static type {@code type} once
     * the magic returns (replacing an earlier variable of that name).
     */
    default void bind(String name, Class<?> type, Object value) {
        bind(name, type.getCanonicalName(), value);
    }

    /** As {@link #bind(String, Class, Object)} with a Java type as written, e.g. {@code List<Sample>}. */
    void bind(String name, String javaType, Object value);

    /** What earlier magics left for later ones (the current Q-Former, the last configs). */
    MagicState state();

    /**
     * A new manager for arrays that live as long as a notebook variable (a model); on the device
     * {@code nn.Devices} chooses. It is closed when the variable is rebound by a magic or the
     * kernel shuts down.
     */
    NDManager newVariableManager(String variable);

    /**
     * The notebook's Java: run a cell's worth of code, extend the classpath ({@code %time},
     * {@code %load}, {@code %classpath}, {@code %maven}). Not every context has one.
     */
    default NotebookShell shell() {
        throw new UnsupportedOperationException("this notebook does not give magics its Java shell");
    }
}
