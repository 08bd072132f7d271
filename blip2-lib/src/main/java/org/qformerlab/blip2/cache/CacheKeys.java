package org.qformerlab.blip2.cache;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.qformerlab.blip2.config.Configs;

/**
 * Names for cache folders: a SHA-256 of everything that determines the cached content, so a
 * different config (or different weights) can never be served a stale file. {@link CacheEntry}
 * names its folder with {@link #hash}.
 */
public final class CacheKeys {

    private CacheKeys() {}

    /** The first 16 hex digits of the SHA-256 of {@code text}. */
    public static String hash(String text) {
        MessageDigest sha = sha256();
        sha.update(text.getBytes(StandardCharsets.UTF_8));
        return name(sha);
    }

    /** The first 16 hex digits of what {@code sha} has digested (it is reset). */
    public static String name(MessageDigest sha) {
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

    /** Prints a line about building a cache entry, when there is somewhere to print it. */
    public static void print(PrintStream log, String line) {
        if (log != null) {
            log.println(line);
        }
    }

    /** A fresh SHA-256, for identities digested from bytes (such as weights) and named by {@link #name}. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
