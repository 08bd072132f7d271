package org.qformerlab.kernel.magic;

import java.nio.file.Path;
import java.util.List;
import org.eclipse.aether.repository.RemoteRepository;

/**
 * {@code %maven G:A:V ... [--repo URL] [--offline]}: resolves artifacts with their dependencies (Maven
 * Resolver: the local repository, then Maven Central) and adds the jars to the notebook's classpath,
 * as IJava's and JJava's {@code %maven} do.
 */
public final class MavenMagic implements Magic {

    private static final MagicSpec SPEC = new MagicSpec(
            "maven", false, "GROUP:ARTIFACT:VERSION ...",
            "add Maven artifacts and their dependencies to the classpath (local repository, then Central)",
            """
            Resolves each artifact and its runtime dependencies with Maven Resolver, from the local
            repository (-Dmaven.repo.local or ~/.m2/repository) and then Maven Central (plus --repo), and
            adds the jars to the classpath of the cells that follow. Coordinates are GROUP:ARTIFACT:VERSION,
            or GROUP:ARTIFACT:EXTENSION[:CLASSIFIER]:VERSION. --offline looks in the local repository only.
            A repository that cannot be reached is named in the one-line error, with the fix.""",
            List.of(
                    MagicOption.repeated("repo", "URL", "another Maven repository to search after Central"),
                    MagicOption.flag("offline", "resolve from the local repository only")),
            List.of("%maven org.apache.commons:commons-text:1.12.0", "%maven com.google.guava:guava:33.3.1-jre --offline"));

    private final List<RemoteRepository> standard;

    /** Resolving from the local repository, Maven Central and the repositories {@code --repo} adds. */
    public MavenMagic() {
        this(List.of(ArtifactResolver.CENTRAL));
    }

    /** With {@code standard} in place of Maven Central (a test passes none: nothing goes over the network). */
    MavenMagic(List<RemoteRepository> standard) {
        this.standard = List.copyOf(standard);
    }

    @Override
    public MagicSpec spec() {
        return SPEC;
    }

    @Override
    public void run(MagicArgs args, String body, MagicContext context) {
        if (args.positionals().isEmpty()) {
            throw new MagicUsageException(SPEC, "name the artifacts: %maven GROUP:ARTIFACT:VERSION");
        }
        args.positionals().forEach(ArtifactResolver::coordinates); // a bad one fails before any download
        ArtifactResolver resolver = new ArtifactResolver(ArtifactResolver.defaultLocalRepository(), standard,
                args.strings("repo"), args.flag("offline"));
        List<Path> jars = resolver.resolve(args.positionals());
        NotebookShell shell = context.shell();
        jars.forEach(shell::addToClasspath);
        context.println("added " + jars.size() + (jars.size() == 1 ? " jar" : " jars") + " to the classpath: "
                + String.join(", ", jars.stream().map(p -> p.getFileName().toString()).toList()));
    }
}
