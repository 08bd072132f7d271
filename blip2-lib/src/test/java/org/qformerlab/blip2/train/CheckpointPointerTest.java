package org.qformerlab.blip2.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.checkpoint.CheckpointException;

/** The {@code latest} pointer names a folder inside the checkpoints folder, or it is refused. */
class CheckpointPointerTest {

    @Test
    void aPointerOutOfTheCheckpointsFolderIsRefusedNamingIt(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectories(dir.resolve("run/checkpoints"));
        Files.createDirectories(dir.resolve("elsewhere")); // exists, so only the name check can stop it
        Files.createDirectories(root.resolve("step-000002"));
        Checkpoints checkpoints = new Checkpoints(dir.resolve("run"));
        Path pointer = root.resolve("latest");
        for (String name : new String[] {"../../elsewhere", dir.resolve("elsewhere").toString(), "..", "a/step-000002"}) {
            Files.writeString(pointer, name + "\n");
            assertEquals(pointer + " holds '" + name + "', not a checkpoint folder in " + root + "; delete " + pointer
                    + " to start over", assertThrows(CheckpointException.class, checkpoints::latest).getMessage());
        }
        Files.writeString(pointer, "step-000002\n");
        assertEquals(root.resolve("step-000002"), checkpoints.latest());
    }
}
