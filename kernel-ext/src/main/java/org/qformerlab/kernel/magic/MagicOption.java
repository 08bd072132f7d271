package org.qformerlab.kernel.magic;

/**
 * One {@code --option} of a magic.
 *
 * @param name the option without dashes ({@code queries})
 * @param value what its value is called in the usage line ({@code N}); null for a flag
 * @param help one line of explanation
 * @param repeatable whether the option may be given more than once ({@code --set a=1 --set b=2})
 */
public record MagicOption(String name, String value, String help, boolean repeatable) {

    public MagicOption(String name, String value, String help) {
        this(name, value, help, false);
    }

    public static MagicOption flag(String name, String help) {
        return new MagicOption(name, null, help);
    }

    public static MagicOption valued(String name, String value, String help) {
        return new MagicOption(name, value, help);
    }

    /** A valued option that may be given several times; {@link MagicArgs#strings} returns them all. */
    public static MagicOption repeated(String name, String value, String help) {
        return new MagicOption(name, value, help, true);
    }

    public boolean isFlag() {
        return value == null;
    }

    /** {@code --queries N} or {@code --verbose}. */
    public String usage() {
        return "--" + name + (isFlag() ? "" : " " + value) + (repeatable ? " ..." : "");
    }
}
