package org.qformerlab.blip2.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UserCacheTest {

    @Test
    void propertyThenEnvironmentThenXdgThenHome() {
        Map<String, String> env = Map.of("QFORMERLAB_CACHE", "/env/cache", "XDG_CACHE_HOME", "/xdg");
        assertEquals(Path.of("/prop/cache"), UserCache.folder("/prop/cache", env, "/home/u"));
        assertEquals(Path.of("/env/cache"), UserCache.folder(null, env, "/home/u"));
        assertEquals(Path.of("/xdg/qformerlab"), UserCache.folder(null, Map.of("XDG_CACHE_HOME", "/xdg"), "/home/u"));
        assertEquals(Path.of("/home/u/.cache/qformerlab"), UserCache.folder(null, Map.of(), "/home/u"));
    }

    @Test
    void aRelativeXdgFolderIsIgnoredAsTheXdgSpecAsks() {
        assertEquals(Path.of("/home/u/.cache/qformerlab"),
                UserCache.folder("", Map.of("XDG_CACHE_HOME", "relative"), "/home/u"));
    }

    @Test
    void relativeOverridesAreMadeAbsoluteSoTheyDoNotDependOnTheWorkingFolderLater() {
        assertEquals(Path.of("").toAbsolutePath().resolve("c"), UserCache.folder("c", Map.of(), "/home/u"));
    }
}
