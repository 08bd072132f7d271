package org.qformerlab.blip2.checkpoint;

/** A checkpoint that cannot be read or does not fit the model; the message names what and why. */
public class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
