package org.qformerlab.kernel.jshell;

/** The running cell was stopped by an interrupt request (the notebook's stop button). */
public final class CellInterruptedException extends RuntimeException {
    public CellInterruptedException() {
        super("the cell was interrupted");
    }
}
