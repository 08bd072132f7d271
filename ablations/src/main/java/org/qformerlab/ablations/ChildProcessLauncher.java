package org.qformerlab.ablations;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs an attempt in a child JVM ({@code java -cp <class path> org.qformerlab.ablations.RunMain kind
 * runDir}), so that a run that exhausts memory, aborts in native code or calls {@code System.exit}
 * fails alone. The child's output is appended to the run's {@code log.txt}; it reports back through
 * {@code outcome.json}. A child that dies without writing one is a failure whose reason is its exit
 * code and the last line it printed.
 */
final class ChildProcessLauncher implements RunLauncher {

    static final String OUTCOME = "outcome.json";

    private final String classPath;
    private final List<String> jvmArgs;

    /**
     * @param classPath the child's class path; {@code null} for this JVM's
     * @param jvmArgs extra JVM options; {@code null} to pass on this JVM's {@code -Xmx} and
     *     PyTorch thread count, or else share the cores among the runs
     * @param parallel how many children run at once
     */
    ChildProcessLauncher(String classPath, List<String> jvmArgs, int parallel) {
        this.classPath = classPath != null ? classPath : System.getProperty("java.class.path");
        this.jvmArgs = jvmArgs != null ? List.copyOf(jvmArgs) : inherited(parallel);
    }

    @Override
    public Outcome launch(Experiment experiment, JsonNode config, Path runDir) throws InterruptedException {
        Path outcome = runDir.resolve(OUTCOME);
        Path log = runDir.resolve(RunPlan.LOG);
        long t0 = System.nanoTime();
        Process process = null;
        try {
            Files.deleteIfExists(outcome);
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmArgs);
            command.add("-Dai.djl.offline=true");
            command.add("-Djava.awt.headless=true");
            command.add("-cp");
            command.add(classPath);
            command.add(RunMain.class.getName());
            command.add(experiment.kind());
            command.add(runDir.toAbsolutePath().toString());
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            int code = process.waitFor();
            double seconds = (System.nanoTime() - t0) / 1e9;
            Outcome result = RunFiles.read(outcome, Outcome.class);
            Files.deleteIfExists(outcome);
            if (result != null) {
                return result;
            }
            return Outcome.failed("child process exited with code " + code
                    + " before reporting a result" + lastLine(log), seconds);
        } catch (IOException e) {
            return Outcome.failed("cannot start a child JVM: " + e.getMessage(),
                    (System.nanoTime() - t0) / 1e9);
        } catch (InterruptedException e) {
            if (process != null) {
                process.destroyForcibly();
            }
            throw e;
        }
    }

    /**
     * This JVM's {@code -Xmx} and {@code ai.djl.pytorch.num_threads}; without the latter, each child
     * gets {@code cores / parallel} threads (at least one). Left to PyTorch, every child would take
     * all cores, and N children on the same cores oversubscribe OpenMP: measured on 2 cores, two
     * 2-thread trainings together ran about ten times slower than one.
     */
    static List<String> inherited(int parallel) {
        List<String> out = new ArrayList<>();
        boolean threads = false;
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-Xmx") || arg.startsWith("-D" + THREADS + "=")) {
                out.add(arg);
                threads |= arg.startsWith("-D" + THREADS + "=");
            }
        }
        if (!threads) {
            out.add("-D" + THREADS + "=" + threadsPerRun(Runtime.getRuntime().availableProcessors(), parallel));
        }
        return out;
    }

    /** PyTorch's intra-op thread count property. */
    static final String THREADS = "ai.djl.pytorch.num_threads";

    /** Cores shared evenly by the runs that go at once, at least one each. */
    static int threadsPerRun(int cores, int parallel) {
        return Math.max(1, cores / Math.max(1, parallel));
    }

    static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank() && !lines.get(i).startsWith("== attempt")) {
                    return " (last output: " + lines.get(i).strip() + ")";
                }
            }
        } catch (IOException e) {
            // no log: nothing to add
        }
        return "";
    }
}
