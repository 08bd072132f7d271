package org.qformerlab.blip2.config;

/** A configuration that cannot work: the message names the field, the rule and a fix. */
public class ConfigException extends IllegalArgumentException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Throws when {@code ok} is false. */
    public static void require(boolean ok, String message) {
        if (!ok) {
            throw new ConfigException(message);
        }
    }
}
