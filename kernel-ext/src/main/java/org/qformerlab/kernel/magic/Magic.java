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

    /**
     * Whether the magic may be called as {@code %name} ({@code cell} false) or {@code %%name}
     * ({@code cell} true); by default only as its spec says. {@code %time} / {@code %%time} take both.
     */
    default boolean accepts(boolean cell) {
        return spec().cell() == cell;
    }

    /**
     * Whether a line call hands the magic the text after its name as written, as {@code body}
     * ({@code %time list.stream().map(s -> s + " ").count()} is Java, not words); the words are
     * then parsed as positionals only.
     */
    default boolean takesRawLine() {
        return false;
    }

    /** Completion candidates for a positional argument starting with {@code prefix} (none by default). */
    default java.util.List<String> completePositional(String prefix) {
        return java.util.List.of();
    }
}
