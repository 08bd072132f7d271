package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
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
