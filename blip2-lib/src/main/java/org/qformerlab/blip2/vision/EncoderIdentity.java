package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import org.qformerlab.blip2.cache.CacheKeys;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.config.Configs;

/**
 * The identity of an encoder: its config and every weight, bit for bit, hashed as cache keys are
 * ({@link CacheKeys}). Two encoders with the same identity produce the same features, so the
 * feature cache is keyed by it and a cached encoder's {@code config.json} records it.
 */
final class EncoderIdentity {

    private EncoderIdentity() {}

    /** The first 16 hex digits of the SHA-256 of the encoder's config and weights. */
    static String of(VisionTransformer encoder) {
        MessageDigest sha = CacheKeys.sha256();
        sha.update(Configs.toJson(encoder.config()).getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, NDArray> e : Weights.tensors(encoder, VisionTransformer.NAMES).entrySet()) {
            sha.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            sha.update(e.getValue().toByteArray());
        }
        return CacheKeys.name(sha);
    }
}
