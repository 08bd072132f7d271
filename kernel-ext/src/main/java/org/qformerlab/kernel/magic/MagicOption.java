package org.qformerlab.kernel.magic;

/**
 * One {@code --option} of a magic.
 *
 * @param name the option without dashes ({@code queries})
 * @param value what its value is called in the usage line ({@code N}); null for a flag
 * @param help one line of explanation
 */
public record MagicOption(String name, String value, String help) {

    public static MagicOption flag(String name, String help) {
        return new MagicOption(name, null, help);
    }

    public static MagicOption valued(String name, String value, String help) {
        return new MagicOption(name, value, help);
    }

    public boolean isFlag() {
        return value == null;
    }

    /** {@code --queries N} or {@code --verbose}. */
    public String usage() {
        return "--" + name + (isFlag() ? "" : " " + value);
    }
}
