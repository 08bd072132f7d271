package org.qformerlab.kernel.magic;

/**
 * A magic was called wrongly (unknown option, a number that is not one, an unknown preset): the
 * notebook shows the message and the valid usage, never a stack trace.
 */
public final class MagicUsageException extends IllegalArgumentException {

    private final String usage;

    public MagicUsageException(MagicSpec spec, String message) {
        super(message);
        this.usage = spec == null ? null : spec.usage();
    }

    public MagicUsageException(String message) {
        this(null, message);
    }

    /** The usage line of the magic that was called, or null. */
    public String usage() {
        return usage;
    }
}
