package org.qformerlab.kernel.magic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.kernel.display.DisplaySink;

/**
 * {@code %maven --repo URL} with a repository that cannot be reached fails in one line that names it
 * and the fix; Maven Central is left out so that nothing goes over the network.
 */
class MavenMagicTest {

    @TempDir
    Path local;

    @Test
    void anUnreachableRepositoryIsOneLineNamingItAndTheFix() {
        MavenMagic maven = new MavenMagic(List.of());
        MagicArgs args = maven.parse(List.of("--repo", "http://127.0.0.1:9/", "org.qformerlab.test:absent:1.0"));
        String before = System.getProperty("maven.repo.local");
        System.setProperty("maven.repo.local", local.toString()); // the absent artifact leaves no trace in ~/.m2
        try (VariableManagers managers = new VariableManagers()) {
            MagicCall call = new MagicCall(DisplaySink.STDOUT, new MagicState(), managers, null);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> maven.run(args, null, call));
            assertEquals("cannot resolve org.qformerlab.test:absent:1.0: the repository repo1 (http://127.0.0.1:9/) is"
                    + " unreachable (ConnectException: Connection refused); check the URL and that the repository is"
                    + " up, or leave out --repo http://127.0.0.1:9/; --offline resolves from the local repository"
                    + " only", e.getMessage());
            assertTrue(call.commit().isEmpty(), "nothing is bound");
        } finally {
            if (before == null) {
                System.clearProperty("maven.repo.local");
            } else {
                System.setProperty("maven.repo.local", before);
            }
        }
    }
}
