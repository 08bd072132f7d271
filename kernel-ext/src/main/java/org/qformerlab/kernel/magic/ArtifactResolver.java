package org.qformerlab.kernel.magic;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.maven.repository.internal.MavenRepositorySystemUtils;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.LocalRepository;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;
import org.eclipse.aether.util.repository.SimpleArtifactDescriptorPolicy;

/**
 * Maven coordinates to jar files, with their runtime dependencies, by Maven Resolver (the library
 * inside Maven): from the local repository first, then Maven Central and any repositories given.
 * A failure becomes one line that names the coordinates and the repository that failed.
 */
public final class ArtifactResolver {

    public static final RemoteRepository CENTRAL =
            new RemoteRepository.Builder("central", "default", "https://repo.maven.apache.org/maven2/").build();

    private final Path localRepository;
    private final List<RemoteRepository> remotes;
    private final boolean offline;

    /**
     * @param localRepository the local repository ({@link #defaultLocalRepository()} in practice)
     * @param extraRepositories URLs of repositories to search after Central
     * @param offline use the local repository only
     */
    public ArtifactResolver(Path localRepository, List<String> extraRepositories, boolean offline) {
        this.localRepository = localRepository;
        this.offline = offline;
        List<RemoteRepository> repos = new ArrayList<>();
        repos.add(CENTRAL);
        for (int i = 0; i < extraRepositories.size(); i++) {
            repos.add(new RemoteRepository.Builder("repo" + (i + 1), "default", extraRepositories.get(i)).build());
        }
        this.remotes = List.copyOf(repos);
    }

    /** {@code -Dmaven.repo.local}, else {@code ~/.m2/repository}, as Maven does. */
    public static Path defaultLocalRepository() {
        String property = System.getProperty("maven.repo.local");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        return Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /** Parses {@code G:A:V}, {@code G:A:EXT:V} or {@code G:A:EXT:CLASSIFIER:V}; a bad one fails naming it. */
    public static Artifact coordinates(String text) {
        String[] parts = text.split(":", -1);
        boolean blank = false;
        for (String p : parts) {
            blank |= p.isBlank();
        }
        if (parts.length < 3 || parts.length > 5 || blank) {
            throw new IllegalArgumentException("bad coordinates '" + text
                    + "': write GROUP:ARTIFACT:VERSION, e.g. org.apache.commons:commons-text:1.12.0");
        }
        return new DefaultArtifact(text);
    }

    /** The jars of {@code coordinates} and their compile and runtime dependencies, the requested ones first. */
    public List<Path> resolve(List<String> coordinates) {
        List<Dependency> dependencies = new ArrayList<>();
        for (String c : coordinates) {
            dependencies.add(new Dependency(coordinates(c), JavaScopes.RUNTIME));
        }
        RepositorySystem system = new RepositorySystemSupplier().get();
        try {
            DefaultRepositorySystemSession session = MavenRepositorySystemUtils.newSession();
            session.setLocalRepositoryManager(system.newLocalRepositoryManager(session,
                    new LocalRepository(localRepository.toFile())));
            session.setOffline(offline);
            session.setSystemProperties(System.getProperties()); // POM profiles activate on java.version, os.*
            // a POM that cannot be read is an error, not an artifact silently without its dependencies
            session.setArtifactDescriptorPolicy(new SimpleArtifactDescriptorPolicy(false, false));
            CollectRequest collect = new CollectRequest(dependencies, List.of(), offline ? List.of() : remotes);
            DependencyRequest request = new DependencyRequest(collect,
                    DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME));
            Set<Path> jars = new LinkedHashSet<>();
            for (ArtifactResult r : system.resolveDependencies(session, request).getArtifactResults()) {
                jars.add(r.getArtifact().getFile().toPath());
            }
            return List.copyOf(jars);
        } catch (DependencyResolutionException | RuntimeException e) {
            throw new IllegalArgumentException(explain(String.join(" ", coordinates), e), e);
        } finally {
            system.shutdown();
        }
    }

    /** One line: what could not be resolved, where it was looked for, and the root cause. */
    private String explain(String what, Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String where = "the local repository " + localRepository
                + (offline ? " (offline)" : " and " + String.join(", ", remotes.stream()
                        .map(r -> r.getId() + " (" + r.getUrl() + ")").toList()));
        if (root instanceof UnknownHostException || root instanceof ConnectException
                || root instanceof NoRouteToHostException || root instanceof SocketTimeoutException) {
            return "cannot resolve " + what + ": a repository is unreachable (" + root + "); looked in " + where
                    + "; add --offline to use the local repository only";
        }
        String message = firstLine(root.getMessage() == null ? root.toString() : root.getMessage());
        String top = firstLine(e.getMessage() == null ? "" : e.getMessage());
        String detail = top.contains(message) ? top : top + ": " + message;
        return "cannot resolve " + what + " from " + where + ": " + detail;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
