package org.qformerlab.blip2.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.checkpoint.CheckpointException;
import org.qformerlab.blip2.config.Configs;

/**
 * The one cache-entry mechanism the encoder and language-model caches share: an entry is built once,
 * reused while its record names its key and its files load, and built again otherwise.
 */
class CacheEntryTest {

    @TempDir
    Path cache;

    private static ObjectNode key(int width) {
        ObjectNode key = Configs.JSON.createObjectNode();
        key.put("format", "test-1");
        key.put("width", width);
        return key;
    }

    private static CacheEntry entry(Path cache, int width) {
        return CacheEntry.of(cache, "models", key(width), "test", "toy model");
    }

    /** Reads {@code model.txt}; a file that says "damaged" fails to load, as a truncated weights file would. */
    private static CacheEntry.Loader<String> reader(CacheEntry entry) {
        return (stored, owner) -> {
            String text = Files.readString(entry.folder().resolve("model.txt"));
            if (text.equals("damaged")) {
                throw new CheckpointException("model.txt is damaged");
            }
            return "loaded " + text + " (" + stored.path("steps").asInt() + " steps)";
        };
    }

    /** Writes the model file, then the record, as a pretraining does; counts the builds. */
    private static String build(CacheEntry entry, AtomicInteger builds) {
        try {
            Files.createDirectories(entry.folder());
            Files.writeString(entry.folder().resolve("model.txt"), "weights " + builds.incrementAndGet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ObjectNode record = entry.newRecord();
        record.put("steps", 7);
        entry.writeRecord(record);
        return "built";
    }

    @Test
    void theFolderIsNamedByTheHashOfTheKey() {
        CacheEntry entry = entry(cache, 64);
        assertEquals(cache.resolve("models").resolve(CacheKeys.hash(Configs.toJson(key(64)))), entry.folder());
        assertEquals(entry.folder(), entry(cache, 64).folder(), "the same key names the same folder");
        assertFalse(entry.folder().equals(entry(cache, 128).folder()), "another key names another folder");
    }

    @Test
    void buildsOnceThenReuses() throws IOException {
        AtomicInteger builds = new AtomicInteger();
        try (NDManager m = NDManager.newBaseManager()) {
            CacheEntry entry = entry(cache, 64);
            assertEquals("built", entry.loadOrBuild(m, null, reader(entry), () -> build(entry, builds)));
            assertEquals("loaded weights 1 (7 steps)", entry.loadOrBuild(m, null, reader(entry), () -> build(entry, builds)));
            assertEquals(1, builds.get(), "the second call reuses the entry");
            String record = Files.readString(entry.folder().resolve(CacheEntry.RECORD));
            assertTrue(record.indexOf("\"key\"") < record.indexOf("\"steps\""), "the record starts with its key: " + record);
        }
    }

    @Test
    void anEntryForAnotherKeyIsReportedAndBuiltAgain() throws IOException {
        AtomicInteger builds = new AtomicInteger();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (NDManager m = NDManager.newBaseManager()) {
            CacheEntry entry = entry(cache, 64);
            entry.loadOrBuild(m, null, reader(entry), () -> build(entry, builds));
            // the same folder, but its record was written for another key (a hash collision, or a hand copy)
            CacheEntry foreign = new CacheEntry(entry.folder(), key(128), "test", "toy model");
            foreign.writeRecord(foreign.newRecord());
            String again = entry.loadOrBuild(m, new PrintStream(log, true, StandardCharsets.UTF_8), reader(entry),
                    () -> build(entry, builds));
            assertEquals("built", again);
            assertEquals(2, builds.get());
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("test: the cached toy model in " + entry.folder()
                    + " cannot be used (its config.json describes another toy model); pretraining it again"), log.toString());
        }
    }

    @Test
    void anEntryWhoseFilesDoNotLoadIsReportedAndBuiltAgain() throws IOException {
        AtomicInteger builds = new AtomicInteger();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (NDManager m = NDManager.newBaseManager()) {
            CacheEntry entry = entry(cache, 64);
            entry.loadOrBuild(m, null, reader(entry), () -> build(entry, builds));
            Files.writeString(entry.folder().resolve("model.txt"), "damaged");
            assertNull(entry.load(m, new PrintStream(log, true, StandardCharsets.UTF_8), reader(entry)));
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("cannot be used (model.txt is damaged)"), log.toString());
            assertEquals("built", entry.loadOrBuild(m, null, reader(entry), () -> build(entry, builds)));
            assertEquals("loaded weights 2 (7 steps)", entry.loadOrBuild(m, null, reader(entry), () -> build(entry, builds)));
        }
    }

    @Test
    void describesOnlyRecordsOfItsOwnKey() {
        CacheEntry entry = entry(cache, 64);
        assertTrue(entry.describes(entry.newRecord()));
        assertFalse(entry.describes(entry(cache, 128).newRecord()));
        assertFalse(entry.describes(Configs.JSON.createObjectNode()), "a record without a key");
        assertFalse(entry.describes(null), "no record at all (nothing shipped)");
    }
}
