package org.qformerlab.blip2.cache;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One builder per cache entry, across processes: two notebooks (or a notebook and the command line)
 * that need the same pretrained model or the same features must not both build it, nor read the
 * half-written files of the other. Whoever comes first holds an exclusive lock on the file
 * {@code <entry>.lock} beside the entry folder while it loads or builds; whoever comes second waits
 * for that lock and then runs the same load-or-build, which now finds the finished entry and reuses it.
 *
 * <p>The file lock ({@link FileChannel#lock()}) is held by the operating system for the process, so
 * it excludes other processes only; threads of one process are excluded by a lock per entry here.
 * A process that dies releases its lock with it: a crashed builder never blocks the cache.
 */
public final class CacheLock {

    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private CacheLock() {}

    /** The lock file of an entry folder: {@code <folder>.lock}, a sibling, so the entry can be deleted whole. */
    public static Path lockFile(Path entry) {
        return entry.toAbsolutePath().normalize().resolveSibling(entry.getFileName() + ".lock");
    }

    /**
     * Runs {@code loadOrBuild} holding the entry's lock, and returns what it returns. When another
     * process or thread holds the lock, prints one line saying so and waits for it.
     *
     * @param entry the entry's folder (it need not exist yet)
     * @param log where to say that this call waits, or null
     * @param loadOrBuild loads the entry if it is valid, builds it otherwise
     */
    public static <T> T around(Path entry, PrintStream log, Supplier<T> loadOrBuild) {
        Path lockFile = lockFile(entry);
        ReentrantLock local = IN_PROCESS.computeIfAbsent(lockFile, p -> new ReentrantLock());
        if (local.isHeldByCurrentThread()) {
            return loadOrBuild.get(); // already inside this entry's lock (a nested call)
        }
        if (!local.tryLock()) {
            CacheKeys.print(log, "cache: another build of " + entry + " is running in this process; waiting for it");
            local.lock();
        }
        try {
            Files.createDirectories(lockFile.getParent());
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock held = exclusive(channel, entry, log)) {
                return loadOrBuild.get();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock the cache entry " + entry + " (lock file " + lockFile
                    + "): " + e.getMessage() + "; check that the cache folder is writable or set QFORMERLAB_CACHE", e);
        } finally {
            local.unlock();
        }
    }

    private static FileLock exclusive(FileChannel channel, Path entry, PrintStream log) throws IOException {
        FileLock lock = channel.tryLock();
        if (lock != null) {
            return lock;
        }
        CacheKeys.print(log, "cache: another process is building " + entry + "; waiting for it to finish");
        return channel.lock();
    }
}
