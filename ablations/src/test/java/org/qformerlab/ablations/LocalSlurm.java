package org.qformerlab.ablations;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The one-node SLURM cluster of {@code environment/slurm-local.sh}, for tests that need a real one:
 * {@link #start} brings it up (installing Debian's packages where they are missing) unless it is up
 * already, and {@link #close} stops it again if this started it. A cluster that cannot start fails
 * the test with the script's output; it never skips it.
 */
final class LocalSlurm implements AutoCloseable {

    private final Path script;
    private final boolean startedHere;

    private LocalSlurm(Path script, boolean startedHere) {
        this.script = script;
        this.startedHere = startedHere;
    }

    static LocalSlurm start() throws IOException, InterruptedException {
        Path script = script();
        if (run(script, "status", 30).code == 0) {
            return new LocalSlurm(script, false);
        }
        Result r = run(script, "start", 600);
        if (r.code != 0) {
            throw new AssertionError("the local SLURM cluster did not start (" + script + " start, exit " + r.code
                    + "); the SLURM tests need it (root, or sudo, for apt-get and the daemons):\n" + r.output);
        }
        return new LocalSlurm(script, true);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (startedHere) {
            Result r = run(script, "stop", 120);
            if (r.code != 0) {
                throw new AssertionError(script + " stop failed (exit " + r.code + "):\n" + r.output);
            }
        }
    }

    /** {@code environment/slurm-local.sh} of this checkout: under {@code repo.root}, else above the working folder. */
    static Path script() {
        String root = System.getProperty("repo.root");
        if (root != null && Files.isRegularFile(Path.of(root, "environment", "slurm-local.sh"))) {
            return Path.of(root, "environment", "slurm-local.sh");
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("environment/slurm-local.sh"))) {
                return p.resolve("environment/slurm-local.sh");
            }
        }
        throw new AssertionError("environment/slurm-local.sh not found from " + Path.of("").toAbsolutePath());
    }

    private record Result(int code, String output) {
    }

    private static Result run(Path script, String verb, int timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", script.toString(), verb).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(script + " " + verb + " did not finish in " + timeoutSeconds + " s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
