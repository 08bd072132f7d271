package org.qformerlab.kernel.magic;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code %load FILE}: runs a Java snippet file ({@code .jsh} or {@code .java}) in the notebook, as if
 * its text were a cell: its classes, methods and variables are defined for the cells that follow.
 */
public final class LoadMagic implements Magic {

    private static final MagicSpec SPEC = new MagicSpec(
            "load", false, "FILE",
            "run a .jsh / .java snippet file in the notebook",
            """
            Runs the file's Java (and any magics in it) as if it were a cell, so its declarations stay
            defined. A relative path is read from the notebook's working folder.""",
            List.of(), List.of("%load helpers.jsh"));

    @Override
    public MagicSpec spec() {
        return SPEC;
    }

    @Override
    public List<String> completePositional(String prefix) {
        return PathCompletion.candidates(prefix, ".jsh", ".java");
    }

    @Override
    public void run(MagicArgs args, String body, MagicContext context) throws IOException {
        args.atMostPositionals(1);
        String name = args.positional(0, null);
        if (name == null) {
            throw new MagicUsageException(SPEC, "name the file to load: %load FILE.jsh");
        }
        Path file = Path.of(name);
        if (!Files.isRegularFile(file)) {
            throw new MagicUsageException(SPEC, "no file " + file.toAbsolutePath() + " to load (paths are read from "
                    + Path.of("").toAbsolutePath() + ")");
        }
        context.shell().run(Files.readString(file)).ifPresent(context::display);
    }
}
