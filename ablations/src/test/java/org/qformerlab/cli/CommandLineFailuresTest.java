package org.qformerlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures of the command line that are the user's to fix print one line saying what and how: an
 * {@code --out} that is a file, a run out of Java heap (raise {@code QFORMERLAB_JAVA_OPTS}), a run
 * out of PyTorch's memory. Never a stack trace.
 */
class CommandLineFailuresTest {

    @TempDir
    Path dir;

    private static void assertOneLine(String err) {
        assertEquals(1, err.lines().count(), "one line, no stack trace:\n" + err);
    }

    @Test
    void anOutThatIsAFileSaysSoAndWhatToDo() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "mine");
        CommandLineRun quick = CommandLineRun.of("quickstart", "--preset", "tiny", "--out", file.toString());
        assertEquals(1, quick.code());
        assertEquals("qformerlab quickstart: --out " + file + " is a file, not a folder: give a folder (it is created if"
                + " missing), or move the file away\n", quick.err());
        CommandLineRun resume = CommandLineRun.of("quickstart", "--resume", "--out", file.toString());
        assertEquals(quick.err(), resume.err());
        CommandLineRun ablate = CommandLineRun.of("ablate", "spec.yaml", "--out", file.resolve("study").toString());
        assertEquals(1, ablate.code());
        assertEquals("qformerlab ablate: --out " + file.resolve("study") + " lies under " + file + ", which is a file:"
                + " give a folder (it is created if missing), or move the file away\n", ablate.err());
        assertEquals("mine", Files.readString(file), "the file is left alone");
    }

    /** A verb that fails the way {@code fail} does. */
    private static Verb failing(Runnable fail) {
        return new Verb() {
            public String name() {
                return "hog";
            }

            public String summary() {
                return "fails";
            }

            public String usage() {
                return "usage: hog";
            }

            public int run(Args args, PrintStream out) {
                fail.run();
                return 0;
            }
        };
    }

    private static CommandLineRun runHog(Runnable fail) {
        NDManager.newBaseManager().close(); // the engine logs its start to standard error: not in what is captured
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(new String[] {"hog"}, Map.of("hog", failing(fail)));
            return new CommandLineRun(code, "", err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void runningOutOfPyTorchMemoryIsOneLineThatSaysTheHeapIsNotTheProblem() {
        // 2^46 float32 values are 256 TiB, more than any address space: PyTorch refuses at once
        CommandLineRun r = runHog(() -> {
            try (NDManager m = NDManager.newBaseManager()) {
                m.create(new Shape(1L << 46));
            }
        });
        assertEquals(1, r.code());
        assertOneLine(r.err());
        assertTrue(r.err().startsWith("qformerlab hog: out of memory in PyTorch (") && r.err().contains("allocate")
                && r.err().endsWith("): tensors live outside the Java heap, so QFORMERLAB_JAVA_OPTS does not help;"
                        + " use a smaller batch or model, or free memory\n"), r.err());
    }

    @Test
    void anOutOfMemoryErrorWrappedByAnExecutorIsFoundToo() {
        CommandLineRun r = runHog(() -> {
            throw new IllegalStateException(new java.util.concurrent.ExecutionException(
                    new OutOfMemoryError("Java heap space")));
        });
        assertEquals(1, r.code());
        assertOneLine(r.err());
        assertTrue(r.err().startsWith("qformerlab hog: out of memory (Java heap space, with a Java heap of at most "), r.err());
    }

    @Test
    void runningOutOfHeapInAChildJvmPrintsOneLineNamingQformerlabJavaOpts() throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-cp", System.getProperty("java.class.path"), HeapHog.class.getName()));
        Process p = new ProcessBuilder(command).start();
        String out;
        String err;
        try (var o = p.getInputStream(); var e = p.getErrorStream()) {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child did not finish");
            out = new String(o.readAllBytes(), StandardCharsets.UTF_8);
            err = new String(e.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(1, p.exitValue(), out + err);
        assertOneLine(err);
        assertTrue(err.matches("qformerlab hog: out of memory \\(Java heap space, with a Java heap of at most \\d+ MiB\\):"
                + " raise it with QFORMERLAB_JAVA_OPTS, e\\.g\\. QFORMERLAB_JAVA_OPTS=-Xmx2g \\./qformerlab hog \\.\\.\\.\\n"), err);
    }

    /** The child: a verb that fills a 32 MiB heap, run through the command line. */
    public static final class HeapHog {
        public static void main(String[] args) {
            List<long[]> hoard = new ArrayList<>();
            System.exit(Main.run(new String[] {"hog"}, Map.of("hog", failing(() -> {
                while (true) {
                    hoard.add(new long[1 << 20]);
                }
            }))));
        }
    }
}
