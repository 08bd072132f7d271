package org.qformerlab.blip2.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection: a child JVM ({@link CheckpointingChild}) trains a tiny run that checkpoints every
 * step and is killed with SIGKILL at random moments, mid-step and mid-save; after every kill the run
 * is resumed. The run that finishes must hold, byte for byte, the weights and moments of one
 * uninterrupted run, and a log with each step once. Both run with one PyTorch thread.
 */
class KilledTrainingTest {

    private static final int STEPS = 40;
    private static final int KILLS = 20;

    @TempDir
    Path dir;

    @Test
    void killedAtRandomMomentsTheResumedRunEndsAsOneUninterruptedRun() throws Exception {
        Path reference = dir.resolve("reference");
        finish(reference);

        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Integer> found = new TreeMap<>(); // what each kill left behind
        int kills = 0;
        int runs = 0;
        List<String> resumeLines = new ArrayList<>();
        while (kills < KILLS) {
            Path run = dir.resolve("run" + runs++);
            List<String> lives = new ArrayList<>(); // per life: where it resumed, its last step, what the kill left
            boolean finished = false;
            while (!finished && kills < KILLS) {
                Child child = Child.start(run, dir.resolve("out-" + kills + ".txt"));
                child.awaitReady();
                // after 1 to 3 steps of this life, somewhere within one step's time: in the step's
                // checkpoint save (which follows its "step N" line) or in the next step's compute
                long period = child.awaitSteps(1 + random.nextInt(3));
                Thread.sleep(random.nextLong(Math.max(1, period)));
                if (child.process.isAlive()) {
                    child.process.destroyForcibly(); // SIGKILL
                    child.process.waitFor();
                    kills++;
                    String left = leftBehind(run);
                    found.merge(left, 1, Integer::sum);
                    List<String> out = child.output().lines().toList();
                    lives.add(out.stream().filter(l -> l.startsWith("resuming")).findFirst().orElse("from scratch")
                            .replace(run.toString(), "") + " .. " + out.get(out.size() - 1) + " | killed: " + left);
                } else {
                    assertEquals(0, child.process.exitValue(), child.output());
                    finished = true;
                }
                child.output().lines().filter(l -> l.startsWith("resuming") || l.contains("damaged"))
                        .forEach(resumeLines::add);
            }
            if (!finished) {
                finish(run);
            }
            assertSameRun(reference, run, lives);
        }
        System.out.printf("fault injection (delays seed %d): %d SIGKILLs over %d runs of %d steps, each resumed to the"
                + " bit-identical end; what the kills left: %s%n", seed, kills, runs, STEPS, found);
        assertTrue(resumeLines.stream().noneMatch(l -> l.contains("damaged")),
                "a kill must never damage a published checkpoint: " + resumeLines);
    }

    /** Runs (or resumes) the child to its end. */
    private static void finish(Path run) throws Exception {
        Child child = Child.start(run, run.resolveSibling(run.getFileName() + "-final.txt"));
        assertTrue(child.process.waitFor(10, TimeUnit.MINUTES), "the child did not finish");
        assertEquals(0, child.process.exitValue(), child.output());
        assertTrue(child.output().contains("finished"), child.output());
    }

    /** The final checkpoint's weights and moments byte for byte, and a log with every step once, in order. */
    private static void assertSameRun(Path reference, Path run, List<String> lives) throws IOException {
        List<Map<String, Object>> rows = MetricsLog.read(run.resolve("metrics.jsonl"));
        assertEquals(STEPS, rows.size(), run + ": one log row per step");
        List<Map<String, Object>> expected = MetricsLog.read(reference.resolve("metrics.jsonl"));
        for (int i = 0; i < STEPS; i++) {
            assertEquals(((Number) expected.get(i).get("step")).longValue(), ((Number) rows.get(i).get("step")).longValue());
            assertEquals(expected.get(i).get("total"), rows.get(i).get("total"), run + ": the loss at step " + (i + 1)
                    + "; the run's lives:\n" + String.join("\n", lives));
        }
        String last = "checkpoints/" + Checkpoints.folderName(STEPS);
        for (String file : List.of("model.safetensors", "optimizer.safetensors")) {
            assertArrayEquals(Files.readAllBytes(reference.resolve(last).resolve(file)),
                    Files.readAllBytes(run.resolve(last).resolve(file)), run + ": " + file + "; the run's lives:\n"
                            + String.join("\n", lives));
        }
    }

    /**
     * What a kill left in the checkpoint folder: a save cut short (a partial folder or a temporary
     * file), a re-save between its renames (an old copy), a checkpoint published but not yet named
     * by {@code latest}, or nothing unfinished (killed mid-step).
     */
    private static String leftBehind(Path run) throws IOException {
        Path root = run.resolve("checkpoints");
        if (!Files.isDirectory(root)) {
            return "no checkpoint yet";
        }
        List<String> names;
        try (Stream<Path> s = Files.walk(root)) {
            names = s.map(p -> root.relativize(p).toString()).toList();
        }
        if (names.stream().anyMatch(n -> n.endsWith(".old"))) {
            return "re-save between renames";
        }
        if (names.stream().anyMatch(n -> n.contains(".partial"))) {
            return "save cut short";
        }
        if (names.stream().anyMatch(n -> n.endsWith(".tmp"))) {
            return "save cut short";
        }
        String latest = Files.exists(root.resolve("latest")) ? Files.readString(root.resolve("latest")).trim() : "";
        boolean ahead = names.stream().anyMatch(n -> n.startsWith("step-") && !n.contains("/") && n.compareTo(latest) > 0);
        return ahead ? "published, latest not yet moved" : "mid-step";
    }

    /** A child JVM with one PyTorch thread, its output going to a file. */
    private record Child(Process process, Path out) {

        static Child start(Path run, Path out) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "-Xmx1g", "-Dai.djl.offline=true",
                    "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1",
                    "-cp", System.getProperty("java.class.path"), CheckpointingChild.class.getName(),
                    run.toString(), String.valueOf(STEPS));
            pb.redirectErrorStream(true);
            pb.redirectOutput(out.toFile());
            return new Child(pb.start(), out);
        }

        void awaitReady() throws Exception {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!output().contains("ready")) {
                if (!process.isAlive()) {
                    throw new AssertionError("the child died before training: " + output());
                }
                if (System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new AssertionError("the child did not start in 3 minutes: " + output());
                }
                Thread.sleep(5);
            }
        }

        /**
         * Waits until the child has reported {@code n} steps (or has ended); returns the mean time
         * between its step lines in milliseconds (200 when there is only one).
         */
        long awaitSteps(int n) throws Exception {
            List<Long> seen = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (seen.size() < n && process.isAlive() && System.nanoTime() < deadline) {
                long steps = output().lines().filter(l -> l.startsWith("step ")).count();
                while (seen.size() < steps) {
                    seen.add(System.nanoTime());
                }
                Thread.sleep(2);
            }
            return seen.size() < 2 ? 200 : (seen.get(seen.size() - 1) - seen.get(0)) / 1_000_000 / (seen.size() - 1);
        }

        String output() {
            try {
                return Files.readString(out);
            } catch (IOException e) {
                return "(no output: " + e.getMessage() + ")";
            }
        }
    }
}
