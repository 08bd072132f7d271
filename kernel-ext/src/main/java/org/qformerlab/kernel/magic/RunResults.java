package org.qformerlab.kernel.magic;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.qformerlab.blip2.config.Configs;

/** What {@code %eval} reads of a run folder named on the call: its {@code results.json}, written when the run finished. */
final class RunResults {

    private RunResults() {}

    /**
     * The folder's {@code results.json}; a folder that is missing, or holds no results, is a usage
     * error naming it.
     *
     * @param stage the kind of run the call expects ({@code stage-1}, {@code stage-2}), for the message
     */
    static JsonNode read(MagicSpec spec, Path folder, String stage) throws IOException {
        Path file = folder.resolve("results.json");
        if (!Files.isRegularFile(file)) {
            throw new MagicUsageException(spec, Files.isDirectory(folder)
                    ? folder + " has no results.json: not a finished " + stage + " run folder"
                    : "no run folder " + folder.toAbsolutePath());
        }
        return Configs.JSON.readTree(file.toFile());
    }
}
