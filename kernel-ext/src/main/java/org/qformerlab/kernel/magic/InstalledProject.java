package org.qformerlab.kernel.magic;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where the installed QFormer Lab project is, seen from a notebook in any folder: study names
 * ({@code %ablate 03-query-count}) resolve against its {@code ablations/studies}. Looked for in this order:
 *
 * <ol>
 *   <li>the system property {@code qformerlab.studies} (a studies folder; the kernel spec sets it);
 *   <li>the environment variable {@code QFORMERLAB_STUDIES};
 *   <li>{@code ablations/studies} in the notebook's working folder or a folder above it;
 *   <li>{@code ablations/studies} above the kernel's own jar or classes (the project it was built in).
 * </ol>
 */
public final class InstalledProject {

    public static final String STUDIES_PROPERTY = "qformerlab.studies";
    public static final String STUDIES_ENVIRONMENT = "QFORMERLAB_STUDIES";

    private InstalledProject() {}

    /** The studies folder, or null when none is found. */
    public static Path studies() {
        return studies(System.getProperty(STUDIES_PROPERTY), System.getenv(), Path.of("").toAbsolutePath(), codeLocation());
    }

    /** {@link #studies()} from explicit inputs. */
    static Path studies(String property, Map<String, String> env, Path workingFolder, Path codeLocation) {
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String fromEnv = env.get(STUDIES_ENVIRONMENT);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        for (Path start : startingPoints(workingFolder, codeLocation)) {
            for (Path p = start; p != null; p = p.getParent()) {
                Path candidate = p.resolve("ablations").resolve("studies");
                if (Files.isDirectory(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    /** What to say when there is no studies folder: where it looked and how to point at one. */
    static String notFound() {
        return "no ablations/studies folder found from " + Path.of("").toAbsolutePath() + " nor from the kernel at "
                + codeLocation() + "; set -D" + STUDIES_PROPERTY + "=DIR or " + STUDIES_ENVIRONMENT
                + "=DIR, or reinstall the kernel with environment/install-kernel.sh";
    }

    private static List<Path> startingPoints(Path workingFolder, Path codeLocation) {
        List<Path> starts = new ArrayList<>();
        starts.add(workingFolder);
        if (codeLocation != null) {
            starts.add(codeLocation);
        }
        return starts;
    }

    /** The kernel's jar or classes folder, or null when the JVM does not say. */
    static Path codeLocation() {
        try {
            CodeSource source = InstalledProject.class.getProtectionDomain().getCodeSource();
            return source == null ? null : Path.of(source.getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return null;
        }
    }
}
