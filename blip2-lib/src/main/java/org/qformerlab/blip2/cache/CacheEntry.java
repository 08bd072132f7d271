package org.qformerlab.blip2.cache;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.qformerlab.blip2.checkpoint.AtomicFiles;
import org.qformerlab.blip2.checkpoint.CheckpointException;
import org.qformerlab.blip2.config.Configs;

/**
 * One entry of the user cache (a pretrained model, say): built once, under a lock, and reused while
 * it is valid. The entry is the folder {@code <cacheRoot>/<kind>/<hash of key>}; its
 * {@code config.json}, written last and atomically, records the {@code key} it was built for.
 *
 * <ol>
 *   <li><b>lock</b>: {@link #loadOrBuild} holds the entry's {@link CacheLock}, so two processes (or
 *       threads) never build the same entry at once, nor read each other's half-written files;</li>
 *   <li><b>reuse</b>: an entry whose {@code config.json} records exactly this key and whose files
 *       load is returned as it is ({@link #load});</li>
 *   <li><b>validate</b>: an entry made for another key, or whose files do not load (truncated,
 *       damaged), is reported on the log and <b>built again</b>: the cache holds derived data, so
 *       building again is always a correct repair.</li>
 * </ol>
 *
 * <pre>
 *   CacheEntry entry = CacheEntry.of(cacheRoot, "vision", key, "vision", "image encoder");
 *   Encoder e = entry.loadOrBuild(manager, log, (stored, owner) -&gt; read(entry.folder(), owner), () -&gt; {
 *       Encoder made = pretrain(...);            // writes its files into entry.folder()
 *       ObjectNode record = entry.newRecord();   // {"key": ...}
 *       record.put("seconds", made.seconds());
 *       entry.writeRecord(record);               // config.json last: the entry is complete
 *       return made;
 *   });
 * </pre>
 *
 * @param folder where the entry's files live
 * @param key everything the entry's content depends on (progress logging excluded)
 * @param prefix the line prefix of its messages, e.g. {@code "vision"}
 * @param what what the entry holds, in messages, e.g. {@code "image encoder"}
 */
public record CacheEntry(Path folder, ObjectNode key, String prefix, String what) {

    /** The name of the record that marks an entry complete. */
    public static final String RECORD = "config.json";

    /** The entry for {@code key} among the entries of one kind ({@code <cacheRoot>/<kind>/<hash of key>}). */
    public static CacheEntry of(Path cacheRoot, String kind, ObjectNode key, String prefix, String what) {
        return new CacheEntry(cacheRoot.resolve(kind).resolve(CacheKeys.hash(Configs.toJson(key))), key, prefix, what);
    }

    /** Reads an entry's content into {@code owner}, given the entry's stored {@code config.json}. */
    @FunctionalInterface
    public interface Loader<T> {
        T load(JsonNode stored, NDManager owner) throws IOException, CheckpointException;
    }

    /**
     * The entry's content: loaded when the entry is valid, else built by {@code build} (which writes
     * the entry's files and, last, its record); all while holding the entry's lock. A loaded entry
     * lives in a sub-manager of {@code manager}.
     */
    public <T> T loadOrBuild(NDManager manager, PrintStream log, Loader<T> loader, Supplier<T> build) {
        return CacheLock.around(folder, log, () -> {
            T cached = load(manager, log, loader);
            return cached != null ? cached : build.get();
        });
    }

    /**
     * The entry's content when its {@code config.json} records exactly this key and its files load;
     * otherwise null, after printing why it cannot be used (another config, a truncated or unreadable
     * file) so that the caller builds it again. What a failed load created is closed with its
     * sub-manager; a loaded entry lives in a sub-manager of {@code manager}. Callers outside
     * {@link #loadOrBuild} hold the entry's lock themselves.
     */
    public <T> T load(NDManager manager, PrintStream log, Loader<T> loader) {
        Path record = folder.resolve(RECORD);
        if (!Files.exists(record)) {
            return null;
        }
        String problem;
        NDManager owner = manager.newSubManager();
        try {
            JsonNode stored = Configs.JSON.readTree(record.toFile());
            if (describes(stored)) {
                T entry = loader.load(stored, owner);
                CacheKeys.print(log, prefix + ": loaded the pretrained " + what + " from " + folder);
                return entry;
            }
            problem = "its config.json describes another " + what;
        } catch (IOException | CheckpointException e) {
            problem = e.getMessage();
        }
        owner.close();
        CacheKeys.print(log, prefix + ": the cached " + what + " in " + folder + " cannot be used (" + problem
                + "); pretraining it again");
        return null;
    }

    /** Whether a stored record (an entry's {@code config.json}, or a shipped one) was made for exactly this key. */
    public boolean describes(JsonNode stored) {
        return stored != null && stored.has("key") && Configs.toJson(key).equals(Configs.toJson(stored.get("key")));
    }

    /** A new record for this entry: {@code {"key": ...}}, to which the builder adds what it measured. */
    public ObjectNode newRecord() {
        ObjectNode record = Configs.JSON.createObjectNode();
        record.set("key", key);
        return record;
    }

    /** Writes {@code record} as the entry's {@code config.json}, atomically: call it last, once the files are complete. */
    public void writeRecord(ObjectNode record) {
        AtomicFiles.writeString(folder.resolve(RECORD), Configs.toJson(record));
    }
}
