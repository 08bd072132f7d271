package org.qformerlab.kernel.jshell;

/**
 * Notebook code threw: carries the user's own exception so that the kernel can show it as Java
 * shows it ({@code ExceptionClass: message}, the cell's frames), not as a kernel failure.
 */
public final class UserCodeException extends RuntimeException {

    private final Throwable userException;

    public UserCodeException(Throwable userException) {
        super(userException.getClass().getName() + ": " + userException.getMessage(), null, false, false);
        this.userException = userException;
    }

    /** What the notebook code threw. */
    public Throwable userException() {
        return userException;
    }
}
