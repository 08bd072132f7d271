package org.qformerlab.kernel.magic;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.maven.repository.internal.MavenRepositorySystemUtils;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.collection.DependencyCollectionException;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.LocalRepository;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactDescriptorException;
import org.eclipse.aether.resolution.ArtifactResolutionException;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.transfer.ArtifactNotFoundException;
import org.eclipse.aether.transfer.ArtifactTransferException;
import org.eclipse.aether.transfer.MetadataNotFoundException;
import org.eclipse.aether.transfer.MetadataTransferException;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;
import org.eclipse.aether.util.repository.SimpleArtifactDescriptorPolicy;

/**
 * Maven coordinates to jar files, with their runtime dependencies, by Maven Resolver (the library
 * inside Maven): from the local repository first, then Maven Central and any repositories given.
 * A failure becomes one line that names the coordinates and the repository that failed, with the fix.
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
        this(localRepository, List.of(CENTRAL), extraRepositories, offline);
    }

    /**
     * As {@link #ArtifactResolver(Path, List, boolean)} with {@code standard} in place of Maven Central
     * (a test passes none, so that nothing goes over the network).
     */
    ArtifactResolver(Path localRepository, List<RemoteRepository> standard, List<String> extraRepositories,
                     boolean offline) {
        this.localRepository = localRepository;
        this.offline = offline;
        List<RemoteRepository> repos = new ArrayList<>(standard);
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

    /**
     * One line: what could not be resolved and why. When repositories could not be reached, it names
     * each of them and the fix (the network, or the {@code --repo} that named it); otherwise where the
     * artifact was looked for and the resolver's reason.
     */
    private String explain(String what, Exception e) {
        Map<RemoteRepository, Throwable> unreachable = unreachable(e);
        if (!unreachable.isEmpty()) {
            List<String> named = unreachable.keySet().stream().map(r -> r.getId() + " (" + r.getUrl() + ")").toList();
            List<String> given = unreachable.keySet().stream().filter(r -> !r.getId().equals(CENTRAL.getId()))
                    .map(r -> "--repo " + r.getUrl()).toList();
            Throwable why = unreachable.values().iterator().next();
            String fix = given.isEmpty() ? "check the network (and a proxy, if this machine needs one)"
                    : "check the URL and that the repository is up, or leave out " + String.join(" and ", given);
            return "cannot resolve " + what + ": " + (named.size() == 1 ? "the repository " + named.get(0) + " is"
                    : "the repositories " + String.join(" and ", named) + " are") + " unreachable ("
                    + why.getClass().getSimpleName() + ": " + firstLine(String.valueOf(why.getMessage())) + "); " + fix
                    + "; --offline resolves from the local repository only";
        }
        Throwable root = rootCause(e);
        String where = "the local repository " + localRepository
                + (offline ? " (offline)" : " and " + String.join(", ", remotes.stream()
                        .map(r -> r.getId() + " (" + r.getUrl() + ")").toList()));
        String message = firstLine(root.getMessage() == null ? root.toString() : root.getMessage());
        String top = firstLine(e.getMessage() == null ? "" : e.getMessage());
        String detail = top.contains(message) ? top : top + ": " + message;
        return "cannot resolve " + what + " from " + where + ": " + detail;
    }

    /**
     * The repositories a transfer from which failed for want of a connection (refused, unknown host,
     * no route, timed out), each with that network error, in the order met; a repository that
     * answered (even "not found") is not among them.
     */
    static Map<RemoteRepository, Throwable> unreachable(Throwable failure) {
        Map<RemoteRepository, Throwable> out = new LinkedHashMap<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> todo = new ArrayDeque<>(List.of(failure));
        while (!todo.isEmpty()) {
            Throwable t = todo.pop();
            if (!seen.add(t)) {
                continue;
            }
            RemoteRepository repository = t instanceof ArtifactTransferException a && !(t instanceof ArtifactNotFoundException)
                    ? a.getRepository()
                    : t instanceof MetadataTransferException m && !(t instanceof MetadataNotFoundException)
                    ? m.getRepository() : null;
            Throwable root = rootCause(t);
            if (repository != null && isNetworkFailure(root)) {
                out.putIfAbsent(repository, root);
            }
            // the resolver reports every repository's failure inside its results, not as causes
            if (t instanceof ArtifactResolutionException r) {
                r.getResults().forEach(result -> todo.addAll(result.getExceptions()));
            }
            if (t instanceof ArtifactDescriptorException d && d.getResult() != null) {
                todo.addAll(d.getResult().getExceptions());
            }
            if (t instanceof DependencyCollectionException c && c.getResult() != null) {
                todo.addAll(c.getResult().getExceptions());
            }
            if (t instanceof DependencyResolutionException d && d.getResult() != null) {
                todo.addAll(d.getResult().getCollectExceptions());
                d.getResult().getArtifactResults().forEach(result -> todo.addAll(result.getExceptions()));
            }
            if (t.getCause() != null) {
                todo.add(t.getCause());
            }
            todo.addAll(List.of(t.getSuppressed()));
        }
        return out;
    }

    private static boolean isNetworkFailure(Throwable root) {
        return root instanceof UnknownHostException || root instanceof ConnectException
                || root instanceof NoRouteToHostException || root instanceof SocketTimeoutException;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
