package org.qformerlab.kernel.magic;

/**
 * A notebook command: {@code %name args} on a line, or {@code %%name args} heading a cell whose
 * rest is the body. Each magic is one class; it declares what it accepts in its {@link MagicSpec}
 * (which also documents it for {@code %help}) and does its work through a {@link MagicContext}.
 */
public interface Magic {

    MagicSpec spec();

    /** Parses the words after the magic's name (checked against the spec). */
    default MagicArgs parse(java.util.List<String> words) {
        return MagicArgs.parse(spec(), words);
    }

    /**
     * Runs the magic on the notebook's cell thread (so the stop button interrupts it).
     *
     * @param body the cell body for a cell magic, null for a line magic
     */
    void run(MagicArgs args, String body, MagicContext context) throws Exception;
}
