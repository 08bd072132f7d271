package org.qformerlab.kernel.magic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.ConnectException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.transfer.ArtifactNotFoundException;
import org.eclipse.aether.transfer.ArtifactTransferException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository that cannot be reached is named in one line with the fix. Nothing here goes over the
 * network: the repositories are closed ports on this machine (port 9, discard, and port 1 refuse).
 */
class ArtifactResolverTest {

    private static final String ABSENT = "org.qformerlab.test:absent:1.0";

    @TempDir
    Path local;

    @Test
    void aRepositoryGivenWithRepoThatCannotBeReachedIsNamedWithTheFix() {
        ArtifactResolver resolver = new ArtifactResolver(local, List.of(), List.of("http://127.0.0.1:9/"), false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> resolver.resolve(List.of(ABSENT)));
        assertEquals("cannot resolve " + ABSENT + ": the repository repo1 (http://127.0.0.1:9/) is unreachable"
                + " (ConnectException: Connection refused); check the URL and that the repository is up, or leave out"
                + " --repo http://127.0.0.1:9/; --offline resolves from the local repository only", e.getMessage());
    }

    @Test
    void everyUnreachableRepositoryIsNamedAndCentralsFixIsTheNetwork() {
        RemoteRepository closedCentral = new RemoteRepository.Builder("central", "default", "http://127.0.0.1:1/").build();
        ArtifactResolver resolver = new ArtifactResolver(local, List.of(closedCentral), List.of("http://127.0.0.1:9/"),
                false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> resolver.resolve(List.of(ABSENT)));
        assertEquals("cannot resolve " + ABSENT + ": the repositories central (http://127.0.0.1:1/) and repo1"
                + " (http://127.0.0.1:9/) are unreachable (ConnectException: Connection refused); check the URL and"
                + " that the repository is up, or leave out --repo http://127.0.0.1:9/; --offline resolves from the"
                + " local repository only", e.getMessage());

        ArtifactResolver centralOnly = new ArtifactResolver(local, List.of(closedCentral), List.of(), false);
        e = assertThrows(IllegalArgumentException.class, () -> centralOnly.resolve(List.of(ABSENT)));
        assertEquals("cannot resolve " + ABSENT + ": the repository central (http://127.0.0.1:1/) is unreachable"
                + " (ConnectException: Connection refused); check the network (and a proxy, if this machine needs"
                + " one); --offline resolves from the local repository only", e.getMessage());
    }

    /** A repository that answered "not found" was reached; only the one that refused is unreachable. */
    @Test
    void aRepositoryThatAnsweredIsNotUnreachable() {
        DefaultArtifact pom = new DefaultArtifact("org.qformerlab.test:absent:pom:1.0");
        RemoteRepository answered = new RemoteRepository.Builder("central", "default", "https://example.org/m2/").build();
        RemoteRepository refused = new RemoteRepository.Builder("repo1", "default", "http://127.0.0.1:9/").build();
        ConnectException refusal = new ConnectException("Connection refused");
        ArtifactResult result = new ArtifactResult(new ArtifactRequest(pom, List.of(answered, refused), null));
        result.addException(new ArtifactNotFoundException(pom, answered));
        result.addException(new ArtifactTransferException(pom, refused, new RuntimeException("connect failed", refusal)));
        Map<RemoteRepository, Throwable> unreachable =
                ArtifactResolver.unreachable(new IllegalStateException(new ArtifactResolutionException(List.of(result))));
        assertEquals(Map.of(refused, refusal), unreachable);
    }

    @Test
    void badCoordinatesAreOneLineWithAnExample() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ArtifactResolver.coordinates("commons-text:1.12.0"));
        assertEquals("bad coordinates 'commons-text:1.12.0': write GROUP:ARTIFACT:VERSION, e.g."
                + " org.apache.commons:commons-text:1.12.0", e.getMessage());
    }
}
