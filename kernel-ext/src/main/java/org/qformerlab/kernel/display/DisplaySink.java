package org.qformerlab.kernel.display;

/**
 * Where displays go: the notebook (through the kernel) or, outside a notebook, standard output.
 * A display has an id; updating that id replaces the output in place, which is how progress bars
 * and live plots move without printing a new picture per step.
 */
public interface DisplaySink {

    /** Shows {@code value} as a new output, rendered by its richest known form; returns its display id. */
    String display(Object value);

    /**
     * Shows {@code value} rendered as the given MIME types (e.g. {@code image/svg+xml} for a chart);
     * a sink that knows only one form shows that.
     */
    default String display(Object value, String... mimeTypes) {
        return display(value);
    }

    /** Replaces the output shown under {@code displayId} with {@code value}. */
    void update(String displayId, Object value);

    /** The sink used outside a notebook: prints {@code toString()} once per display and update. */
    DisplaySink STDOUT = new DisplaySink() {
        private int next;

        @Override
        public synchronized String display(Object value) {
            System.out.println(value);
            return "stdout-" + (++next);
        }

        @Override
        public void update(String displayId, Object value) {
            System.out.println(value);
        }
    };
}
