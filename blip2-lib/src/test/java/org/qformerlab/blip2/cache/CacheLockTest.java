package org.qformerlab.blip2.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two builders of one cache entry: the second waits for the first and then reuses what it built.
 * The cross-process case runs the first builder in a child JVM ({@link #main}), as two notebooks would.
 */
class CacheLockTest {

    /** A cache entry "build": reuse the entry when its file is there, write it otherwise. */
    private static Supplier<String> loadOrBuild(Path entry, String who) {
        return () -> {
            try {
                Path file = entry.resolve("model.txt");
                if (Files.exists(file)) {
                    return "reused " + Files.readString(file);
                }
                Files.createDirectories(entry);
                Files.writeString(file, who);
                return "built";
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }

    /**
     * The child builder: takes the entry's lock, says so in {@code holding}, waits for {@code release}
     * to exist, then writes the entry.
     */
    public static void main(String[] args) throws Exception {
        Path entry = Path.of(args[0]);
        Path holding = Path.of(args[1]);
        Path release = Path.of(args[2]);
        String result = CacheLock.around(entry, null, () -> {
            try {
                Files.writeString(holding, "holding");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (!Files.exists(release) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return loadOrBuild(entry, "child").get();
        });
        System.out.println(result);
    }

    @Test
    void aSecondProcessWaitsForTheBuilderThenReusesItsEntry(@TempDir Path dir) throws Exception {
        Path entry = dir.resolve("language").resolve("0123abcd");
        Path holding = dir.resolve("holding");
        Path release = dir.resolve("release");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CacheLockTest.class.getName(), entry.toString(), holding.toString(), release.toString())
                .redirectErrorStream(true).start();
        try {
            waitFor(() -> Files.exists(holding) || !child.isAlive(), () -> "the child never took the lock");
            assertTrue(child.isAlive(), () -> "the child ended early: " + output(child));

            ByteArrayOutputStream said = new ByteArrayOutputStream();
            PrintStream log = new PrintStream(said, true, StandardCharsets.UTF_8);
            CompletableFuture<String> second = CompletableFuture.supplyAsync(
                    () -> CacheLock.around(entry, log, loadOrBuild(entry, "parent")));
            waitFor(() -> said.toString(StandardCharsets.UTF_8).contains("another process is building"),
                    () -> "the second builder did not wait for the child; it said: " + said
                            + (second.isDone() ? second.join() : " (still running)"));
            assertFalse(second.isDone(), "the second builder ran while the child held the lock");

            Files.writeString(release, "go");
            assertEquals("reused child", second.get(60, TimeUnit.SECONDS));
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            assertEquals("built", output(child));
            assertEquals(0, child.exitValue());
            assertTrue(Files.exists(CacheLock.lockFile(entry)), "the lock file lies beside the entry");
            assertEquals(List.of("model.txt"), List.of(entry.toFile().list()), "the entry holds only what was built");
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void twoThreadsOfOneProcessBuildOnce(@TempDir Path dir) throws Exception {
        Path entry = dir.resolve("features").resolve("feedbeef");
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> CacheLock.around(entry, null, () -> {
            holding.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return loadOrBuild(entry, "first").get();
        }));
        assertTrue(holding.await(30, TimeUnit.SECONDS));
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(said, true, StandardCharsets.UTF_8);
        CompletableFuture<String> second = CompletableFuture.supplyAsync(
                () -> CacheLock.around(entry, log, loadOrBuild(entry, "second")));
        waitFor(() -> said.toString(StandardCharsets.UTF_8).contains("running in this process; waiting"),
                () -> "the second thread did not wait");
        assertFalse(second.isDone());
        release.countDown();
        assertEquals("built", first.get(30, TimeUnit.SECONDS));
        assertEquals("reused first", second.get(30, TimeUnit.SECONDS));
    }

    @Test
    void aNestedCallOnTheSameEntryDoesNotDeadlock(@TempDir Path dir) {
        Path entry = dir.resolve("vision").resolve("aa");
        String result = CacheLock.around(entry, null, () -> CacheLock.around(entry, null, loadOrBuild(entry, "inner")));
        assertEquals("built", result);
    }

    private static String output(Process ended) {
        try {
            return new String(ended.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, Supplier<String> why) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(why.get());
            }
            Thread.sleep(20);
        }
    }
}
