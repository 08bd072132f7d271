package org.qformerlab.kernel.magic;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed arguments of a magic call: positionals and {@code --name value} / {@code --name=value}
 * / {@code --flag} options, checked against the magic's {@link MagicSpec}. Typed getters turn a bad
 * value into a {@link MagicUsageException} that names the option and what it wants.
 */
public final class MagicArgs {

    private final MagicSpec spec;
    private final List<String> positionals;
    private final Map<String, String> options;
    private final Map<String, List<String>> repeated;

    private MagicArgs(MagicSpec spec, List<String> positionals, Map<String, String> options,
            Map<String, List<String>> repeated) {
        this.spec = spec;
        this.positionals = positionals;
        this.options = options;
        this.repeated = repeated;
    }

    /** Parses the words after the magic's name. */
    public static MagicArgs parse(MagicSpec spec, List<String> words) {
        List<String> positionals = new ArrayList<>();
        Map<String, String> options = new LinkedHashMap<>();
        Map<String, List<String>> repeated = new LinkedHashMap<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (!w.startsWith("--") || w.length() == 2) {
                positionals.add(w);
                continue;
            }
            String name = w.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            MagicOption option = spec.option(name);
            if (option == null) {
                throw new MagicUsageException(spec, "unknown option --" + name + known(spec));
            }
            if (option.isFlag()) {
                if (value != null) {
                    throw new MagicUsageException(spec, "--" + name + " is a flag and takes no value");
                }
                value = "true";
            } else if (value == null) {
                if (i + 1 >= words.size() || words.get(i + 1).startsWith("--")) {
                    throw new MagicUsageException(spec, "--" + name + " needs a value: " + option.usage());
                }
                value = words.get(++i);
            }
            if (option.repeatable()) {
                repeated.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                options.put(name, value);
            } else if (options.put(name, value) != null) {
                throw new MagicUsageException(spec, "--" + name + " is given twice");
            }
        }
        return new MagicArgs(spec, positionals, options, repeated);
    }

    /** The words as positionals, unchecked. */
    public static MagicArgs raw(MagicSpec spec, List<String> words) {
        return new MagicArgs(spec, List.copyOf(words), Map.of(), Map.of());
    }

    private static String known(MagicSpec spec) {
        if (spec.options().isEmpty()) {
            return " (%" + spec.name() + " takes no options)";
        }
        return "; valid options: " + String.join(", ", spec.options().stream().map(o -> "--" + o.name()).toList());
    }

    public MagicSpec spec() {
        return spec;
    }

    public List<String> positionals() {
        return positionals;
    }

    /** The i-th positional, or {@code fallback}. */
    public String positional(int i, String fallback) {
        return i < positionals.size() ? positionals.get(i) : fallback;
    }

    /** Fails when more than {@code max} positionals were given. */
    public MagicArgs atMostPositionals(int max) {
        if (positionals.size() > max) {
            throw new MagicUsageException(spec, "unexpected argument '" + positionals.get(max) + "'");
        }
        return this;
    }

    public boolean has(String name) {
        return options.containsKey(name);
    }

    public boolean flag(String name) {
        return options.containsKey(name);
    }

    /** Every value of a repeatable option, in order (empty when not given). */
    public List<String> strings(String name) {
        return List.copyOf(repeated.getOrDefault(name, List.of()));
    }

    public String string(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    /** An integer option at least {@code min}. */
    public int integer(String name, int fallback, int min) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        int n;
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new MagicUsageException(spec, "--" + name + " wants a whole number, got '" + v + "'");
        }
        if (n < min) {
            throw new MagicUsageException(spec, "--" + name + " must be at least " + min + ", got " + n);
        }
        return n;
    }

    public long longValue(String name, long fallback) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new MagicUsageException(spec, "--" + name + " wants a whole number, got '" + v + "'");
        }
    }

    public double number(String name, double fallback) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new MagicUsageException(spec, "--" + name + " wants a number, got '" + v + "'");
        }
    }

    /** A Java identifier for a variable name (from {@code --as}). */
    public String variable(String name, String fallback) {
        String v = string(name, fallback);
        if (!isIdentifier(v)) {
            throw new MagicUsageException(spec, "--" + name + " wants a Java variable name, got '" + v + "'");
        }
        return v;
    }

    static boolean isIdentifier(String s) {
        if (s == null || s.isEmpty() || !Character.isJavaIdentifierStart(s.charAt(0)) || s.equals("_")) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            if (!Character.isJavaIdentifierPart(s.charAt(i))) {
                return false;
            }
        }
        return !javax.lang.model.SourceVersion.isKeyword(s);
    }
}
