package org.qformerlab.blip2.config;

import java.nio.file.Path;

/**
 * Names read from files or specs that stand for a place inside a folder (a study's name, a shard
 * of an index, a COCO {@code file_name}, a checkpoint pointer) must stay inside that folder: a
 * file someone else wrote must not make a run read or write elsewhere. Such a name is refused when
 * it is empty, absolute (a leading {@code /} or {@code \}, a drive such as {@code C:}), or has a
 * {@code ..} part; subfolders ({@code train2014/a.jpg}) are fine. Each caller raises its own error,
 * naming the file and the entry, with {@link #problem}'s reason.
 */
public final class LocalNames {

    private LocalNames() {}

    /**
     * Why {@code name} would leave the folder it is resolved against, or {@code null} if it stays
     * inside: "is empty", "is absolute" or "climbs out of its folder with '..'".
     */
    public static String problem(String name) {
        if (name == null || name.isBlank()) {
            return "is empty";
        }
        if (name.indexOf('\0') >= 0) {
            return "holds a NUL character";
        }
        if (name.startsWith("/") || name.startsWith("\\") || name.matches("^[A-Za-z]:.*") || Path.of(name).isAbsolute()) {
            return "is absolute";
        }
        for (String part : name.split("[/\\\\]")) {
            if (part.equals("..")) {
                return "climbs out of its folder with '..'";
            }
        }
        return null;
    }

    /**
     * {@code folder.resolve(name)} when {@code name} stays inside {@code folder}.
     *
     * @throws IllegalArgumentException with {@code what} (where the name was read), the name and
     *     why it is refused
     */
    public static Path resolve(Path folder, String name, String what) {
        String problem = problem(name);
        if (problem != null) {
            throw new IllegalArgumentException(what + " '" + name + "' " + problem
                    + ": it must name a place inside " + folder);
        }
        return folder.resolve(name);
    }
}
