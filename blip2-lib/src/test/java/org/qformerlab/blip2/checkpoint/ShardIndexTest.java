package org.qformerlab.blip2.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shard index may only name files in its own folder; anything else is named in one line. */
class ShardIndexTest {

    private static final String FIX = ": a shard must be a file name in the index's own folder; re-download the index";

    @TempDir
    Path dir;

    private String refusal(String shard) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("model"));
        // a real shard next to the folder, so that only the name check can stop the escape
        SafetensorsBytes.write(dir.resolve("outside.safetensors"),
                "{" + SafetensorsBytes.entry("w", "F32", "[1]", 0, 4) + "}", SafetensorsBytes.floats(1));
        Files.writeString(folder.resolve(SafetensorsShards.INDEX), "{\"weight_map\": {\"w\": " + shard + "}}");
        return assertThrows(CheckpointException.class, () -> SafetensorsShards.open(folder)).getMessage();
    }

    @Test
    void aShardOutsideTheIndexFolderIsRefusedNamingTheEntry() throws Exception {
        Path index = dir.resolve("model").resolve(SafetensorsShards.INDEX);
        assertEquals(index + ": weight_map entry 'w' -> '../outside.safetensors' climbs out of its folder with '..'"
                + FIX, refusal("\"../outside.safetensors\""));
        assertEquals(index + ": weight_map entry 'w' -> '" + dir.resolve("outside.safetensors") + "' is absolute" + FIX,
                refusal("\"" + dir.resolve("outside.safetensors") + "\""));
        assertEquals(index + ": weight_map entry 'w' -> '..' climbs out of its folder with '..'" + FIX, refusal("\"..\""));
        assertEquals(index + ": weight_map entry 'w' -> 'sub/a.safetensors' is not a plain file name" + FIX,
                refusal("\"sub/a.safetensors\""));
        assertEquals(index + ": weight_map entry 'w' -> '' is empty" + FIX, refusal("\"\""));
        assertEquals(index + ": weight_map entry 'w' -> '3' is not a string" + FIX, refusal("3"));
    }
}
