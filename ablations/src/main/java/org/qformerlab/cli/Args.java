package org.qformerlab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parsed {@code --name value} options, {@code --flag} switches and positional words. Every option
 * read is recorded, so that {@link #checkAllUsed} can reject a misspelt one by name. An option given
 * twice keeps its last value, and {@link #strings} returns all of them.
 */
public final class Args {

    private final Map<String, String> options = new LinkedHashMap<>();
    private final Map<String, List<String>> all = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();
    private final Set<String> used = new LinkedHashSet<>();

    public Args(String[] argv) {
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.startsWith("--")) {
                String key = a.substring(2);
                int eq = key.indexOf('=');
                if (eq >= 0) {
                    put(key.substring(0, eq), key.substring(eq + 1));
                } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
                    put(key, argv[++i]);
                } else {
                    put(key, "true");
                }
            } else {
                positional.add(a);
            }
        }
    }

    private void put(String key, String value) {
        options.put(key, value);
        all.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }

    /** Every value of an option given several times ({@code --sbatch a --sbatch b}), in order; empty when absent. */
    public List<String> strings(String name) {
        used.add(name);
        return List.copyOf(all.getOrDefault(name, List.of()));
    }

    public List<String> positional() {
        return positional;
    }

    public boolean has(String name) {
        used.add(name);
        return options.containsKey(name);
    }

    public String string(String name, String fallback) {
        used.add(name);
        return options.getOrDefault(name, fallback);
    }

    public int integer(String name, int fallback) {
        String v = string(name, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " needs a whole number, got '" + v + "'");
        }
    }

    public double number(String name, double fallback) {
        String v = string(name, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " needs a number, got '" + v + "'");
        }
    }

    public boolean flag(String name) {
        return Boolean.parseBoolean(string(name, "false"));
    }

    /**
     * An output folder option ({@code --out DIR}): null when absent. A path that is an existing
     * file, or lies under one, is refused in one line that says so and what to do, before any work
     * starts (the folder itself is created later, by whoever writes into it).
     */
    public Path folder(String name) {
        String value = string(name, null);
        if (value == null) {
            return null;
        }
        Path folder = Path.of(value);
        for (Path p = folder.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p)) {
                break;
            }
            if (Files.exists(p)) {
                throw new IllegalArgumentException("--" + name + " " + value + (p.equals(folder.toAbsolutePath().normalize())
                        ? " is a file, not a folder" : " lies under " + p + ", which is a file")
                        + ": give a folder (it is created if missing), or move the file away");
            }
        }
        return folder;
    }

    /** Fails on any option that no code asked for (a typo, or an option of another verb). */
    public void checkAllUsed() {
        for (String k : options.keySet()) {
            if (!used.contains(k)) {
                throw new UsageException("unknown option --" + k);
            }
        }
    }

    /** A wrong command line: printed with the verb's usage, without a stack trace. */
    public static final class UsageException extends RuntimeException {
        public UsageException(String message) {
            super(message);
        }
    }
}
