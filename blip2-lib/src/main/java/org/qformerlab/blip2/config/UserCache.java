package org.qformerlab.blip2.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * The one cache folder per user: pretrained unimodal models, feature caches and tokenizers live
 * here, shared by the command line, the kernel, the studies and the tests, whatever folder they run
 * from. Resolved in this order:
 *
 * <ol>
 *   <li>the system property {@code qformerlab.cache} (tests and the kernel set it per run);
 *   <li>the environment variable {@code QFORMERLAB_CACHE};
 *   <li>{@code $XDG_CACHE_HOME/qformerlab};
 *   <li>{@code ~/.cache/qformerlab}.
 * </ol>
 *
 * A {@code --cache DIR} on the command line overrides all of them for that run.
 */
public final class UserCache {

    /** The system property that overrides the cache folder. */
    public static final String PROPERTY = "qformerlab.cache";

    /** The environment variable that overrides the cache folder. */
    public static final String ENVIRONMENT = "QFORMERLAB_CACHE";

    private UserCache() {}

    /** The cache folder of this process (not created here: each cache entry creates its own folder). */
    public static Path folder() {
        return folder(System.getProperty(PROPERTY), System.getenv(), System.getProperty("user.home"));
    }

    /** {@link #folder()} from explicit inputs (testable without touching the process's environment). */
    static Path folder(String property, Map<String, String> env, String home) {
        if (property != null && !property.isBlank()) {
            return Path.of(property).toAbsolutePath().normalize();
        }
        String fromEnv = env.get(ENVIRONMENT);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv).toAbsolutePath().normalize();
        }
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "qformerlab");
        }
        return Path.of(home, ".cache", "qformerlab");
    }
}
