package org.qformerlab.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Jupyter and a throw-away kernel spec for the freshly built kernel jar, so that the
 * integration tests start the kernel exactly as Jupyter does without installing anything.
 */
final class JupyterEnvironment {

    static final String PYTHON = "/usr/bin/python3";
    static final String JUPYTER = "/usr/bin/jupyter";
    static final String KERNEL_NAME = "qformerlab-test";
    static final String INSTALL = "sudo ./environment/install-jupyter.sh   (it runs: apt-get update && apt-get install -y"
            + " jupyter-notebook python3-nbconvert python3-jupyter-client python3-ipykernel jupyter-nbconvert"
            + " jupyter-client)";

    private JupyterEnvironment() {}

    /** Fails (never skips) with the install command when Debian's Jupyter is not there. */
    static void requireJupyter() throws Exception {
        if (!Files.isExecutable(Path.of(PYTHON)) || !Files.isExecutable(Path.of(JUPYTER))) {
            fail("Jupyter is not installed (" + JUPYTER + " / " + PYTHON + " missing). Install it with:\n  " + INSTALL);
        }
        Result probe = run(List.of(PYTHON, "-c", "import jupyter_client, nbconvert, nbformat"), Map.of(), null, 60);
        if (probe.exitCode() != 0) {
            fail("Jupyter's Python packages are missing under " + PYTHON + ":\n" + probe.output()
                    + "\nInstall them with:\n  " + INSTALL);
        }
        Result nbconvert = run(List.of(JUPYTER, "nbconvert", "--version"), Map.of(), null, 60);
        if (nbconvert.exitCode() != 0) {
            fail("`jupyter nbconvert` is missing:\n" + nbconvert.output() + "\nInstall it with:\n  " + INSTALL);
        }
    }

    /** The kernel jar the build just made. */
    static Path kernelJar() {
        Path jar = Path.of(System.getProperty("kernel.jar", "target/qformerlab-kernel.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "kernel jar not built: " + jar + " (run `mvn verify`, which packages it first)");
        return jar;
    }

    /** Writes {@code <dir>/kernels/qformerlab-test/kernel.json}; use {@code dir} as JUPYTER_PATH. */
    static Path writeKernelSpec(Path dir) throws IOException {
        Path spec = dir.resolve("kernels").resolve(KERNEL_NAME);
        Files.createDirectories(spec);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("argv", List.of(java, "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-Djava.awt.headless=true", "-Xmx3g",
                "-XX:TieredStopAtLevel=1", "-jar", kernelJar().toString(), "{connection_file}"));
        json.put("display_name", "Java (QFormer Lab, test)");
        json.put("language", "java");
        json.put("interrupt_mode", "message");
        Files.writeString(spec.resolve("kernel.json"), new ObjectMapper().writeValueAsString(json));
        return dir;
    }

    /** The environment a Jupyter process needs: our kernel spec, private runtime and config folders. */
    static Map<String, String> jupyterEnv(Path dir) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JUPYTER_PATH", dir.toString());
        env.put("JUPYTER_RUNTIME_DIR", dir.resolve("runtime").toString());
        env.put("JUPYTER_CONFIG_DIR", dir.resolve("config").toString());
        env.put("IPYTHONDIR", dir.resolve("ipython").toString());
        env.put("PYDEVD_DISABLE_FILE_VALIDATION", "1");
        env.put("QFORMERLAB_QUICK", "1");
        return env;
    }

    record Result(int exitCode, String output) {}

    /** Runs a command, output and errors together, killed after {@code timeoutSeconds}. */
    static Result run(List<String> command, Map<String, String> env, Path workDir, long timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        Path log = Files.createTempFile("jupyter-run", ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                return new Result(124, Files.readString(log, StandardCharsets.UTF_8)
                        + "\n(killed after " + timeoutSeconds + " s)");
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
