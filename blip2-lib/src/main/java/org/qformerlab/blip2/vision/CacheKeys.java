package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.qformerlab.blip2.checkpoint.CheckpointException;
import org.qformerlab.blip2.config.Configs;

/**
 * Names for cache folders: a SHA-256 of everything that determines the cached content, so a
 * different config (or different weights) can never be served a stale file.
 */
public final class CacheKeys {

    private CacheKeys() {}

    /** The first 16 hex digits of the SHA-256 of {@code text}. */
    public static String hash(String text) {
        return HexFormat.of().formatHex(digest().digest(text.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
    }

    /**
     * The identity of an encoder: its config and every weight, bit for bit. Two encoders with the
     * same identity produce the same features.
     */
    static String encoderIdentity(VisionTransformer encoder) {
        MessageDigest sha = digest();
        sha.update(Configs.toJson(encoder.config()).getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, NDArray> e : org.qformerlab.blip2.checkpoint.Weights.tensors(encoder, VisionTransformer.NAMES).entrySet()) {
            sha.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            sha.update(e.getValue().toByteArray());
        }
        return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    }

    /**
     * A pretraining recipe as it enters a cache key: every field except {@code logEvery}, which
     * changes only what is printed, not what is learned.
     */
    public static ObjectNode recipe(Object pretrainConfig) {
        ObjectNode recipe = Configs.JSON.valueToTree(pretrainConfig);
        recipe.remove("logEvery");
        return recipe;
    }

    /** Reads a cache entry's content into {@code owner}, given the entry's stored {@code config.json}. */
    @FunctionalInterface
    public interface EntryLoader<T> {
        T load(JsonNode stored, NDManager owner) throws IOException, CheckpointException;
    }

    /**
     * The cache entry in {@code folder} when its {@code config.json} records exactly {@code key} and
     * its files load; otherwise null, after printing why it cannot be used (another config, a
     * truncated or unreadable file) so that the caller builds it again. What a failed load created
     * is closed with its sub-manager; a loaded entry lives in a sub-manager of {@code manager}.
     *
     * @param prefix the line prefix of its messages, e.g. {@code "vision"}
     * @param what what the entry holds, in messages, e.g. {@code "image encoder"}
     */
    public static <T> T loadIfValid(Path folder, ObjectNode key, NDManager manager, String prefix, String what,
                                    PrintStream log, EntryLoader<T> loader) {
        Path record = folder.resolve("config.json");
        if (!Files.exists(record)) {
            return null;
        }
        String problem;
        NDManager owner = manager.newSubManager();
        try {
            JsonNode stored = Configs.JSON.readTree(record.toFile());
            if (stored.has("key") && Configs.toJson(key).equals(Configs.toJson(stored.get("key")))) {
                T entry = loader.load(stored, owner);
                print(log, prefix + ": loaded the pretrained " + what + " from " + folder);
                return entry;
            }
            problem = "its config.json describes another " + what;
        } catch (IOException | CheckpointException e) {
            problem = e.getMessage();
        }
        owner.close();
        print(log, prefix + ": the cached " + what + " in " + folder + " cannot be used (" + problem + "); pretraining it again");
        return null;
    }

    /** Prints a line about building a cache entry, when there is somewhere to print it. */
    public static void print(PrintStream log, String line) {
        if (log != null) {
            log.println(line);
        }
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
