package org.qformerlab.kernel;

/**
 * A magic failed on its input (a config that does not validate, a bad value) or inside the library.
 * The notebook shows {@code %name: message}; frames only when the failure is not the user's input.
 */
public final class MagicFailedException extends RuntimeException {

    private final String magic;
    private final boolean inputError;

    public MagicFailedException(String magic, Throwable cause, boolean inputError) {
        super("%" + magic + ": " + cause.getMessage(), cause, false, false);
        this.magic = magic;
        this.inputError = inputError;
    }

    public String magic() {
        return magic;
    }

    /** True when the cause is the user's input (show the message only). */
    public boolean inputError() {
        return inputError;
    }
}
