package org.qformerlab.kernel.magic;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code %classpath PATH...}: adds jars or class folders to what the notebook's cells compile
 * against and load; {@code dir/*} adds every jar in a folder. Without arguments, lists what was added.
 */
public final class ClasspathMagic implements Magic {

    private static final MagicSpec SPEC = new MagicSpec(
            "classpath", false, "[PATH ...]",
            "add jars or class folders to the notebook's classpath (dir/* for every jar in a folder)",
            """
            Adds each PATH (a jar, a folder of classes, or dir/* for the jars in a folder) to the
            classpath of the cells that follow, as IJava's %classpath does. Without arguments, lists the
            entries this notebook added. Paths are read from the notebook's working folder; several may be
            given, separated by blanks or by the platform's path separator.""",
            List.of(), List.of("%classpath lib/my-helpers.jar", "%classpath lib/*", "%classpath"));

    @Override
    public MagicSpec spec() {
        return SPEC;
    }

    @Override
    public List<String> completePositional(String prefix) {
        return PathCompletion.candidates(prefix, ".jar");
    }

    @Override
    public void run(MagicArgs args, String body, MagicContext context) throws IOException {
        NotebookShell shell = context.shell();
        if (args.positionals().isEmpty()) {
            List<Path> added = shell.addedClasspath();
            context.println(added.isEmpty() ? "nothing added to the classpath yet (%classpath PATH)"
                    : "added to the classpath:\n  " + String.join("\n  ", added.stream().map(Path::toString).toList()));
            return;
        }
        List<Path> entries = new ArrayList<>();
        for (String word : args.positionals()) {
            for (String part : word.split(java.io.File.pathSeparator)) {
                if (!part.isBlank()) {
                    entries.addAll(expand(part));
                }
            }
        }
        entries.forEach(shell::addToClasspath);
        context.println("added to the classpath: " + String.join(", ", entries.stream().map(Path::toString).toList()));
    }

    /** {@code dir/*} as its jars; anything else as itself, which must exist. */
    static List<Path> expand(String part) throws IOException {
        if (part.endsWith("/*") || part.equals("*")) {
            Path folder = Path.of(part.equals("*") ? "." : part.substring(0, part.length() - 2)).toAbsolutePath().normalize();
            if (!Files.isDirectory(folder)) {
                throw new MagicUsageException(SPEC, "no folder " + folder + " for " + part);
            }
            try (Stream<Path> jars = Files.list(folder)) {
                List<Path> found = jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
                if (found.isEmpty()) {
                    throw new MagicUsageException(SPEC, "no jars in " + folder);
                }
                return found;
            }
        }
        Path path = Path.of(part).toAbsolutePath().normalize();
        if (!Files.exists(path)) {
            throw new MagicUsageException(SPEC, "no jar or folder " + path + " (paths are read from "
                    + Path.of("").toAbsolutePath() + ")");
        }
        return List.of(path);
    }
}
