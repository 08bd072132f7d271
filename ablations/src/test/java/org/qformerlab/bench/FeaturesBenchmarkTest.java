package org.qformerlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qformerlab.bench.TinyBench.number;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.vision.VisionConfig;

/** Feature extraction vs the feature cache at a tiny size: both measured, the same features, no folder left. */
class FeaturesBenchmarkTest {

    @Test
    void tinyRunComparesEncoderAndCacheAndCleansUp() throws Exception {
        long before = benchFolders();
        Map<String, Object> f = TinyBench.runOnce(new FeaturesBenchmark());
        assertEquals(before, benchFolders(), "the temporary cache folder is deleted");
        VisionConfig v = TinyBench.config().vision();
        assertEquals(5, v.positions()); // 5 patches = a 2x2 grid + the class token
        assertEquals(28, v.imageSize());
        int images = 3 * (1 + 2); // batch x (warm-up + timed) batches
        assertEquals(images, f.get("cache_images"));
        // the shards hold at least every feature as float32
        assertTrue(number(f, "cache_mb") * 1024 * 1024 >= images * 5 * 12 * 4, "cache_mb " + f.get("cache_mb"));
        for (String k : new String[] {"encoder_images_per_s", "cache_build_images_per_s", "cache_open_ms",
                "cache_open_images_per_s", "cache_lookup_ms", "cache_images_per_s", "speedup"}) {
            assertTrue(number(f, k) > 0, k + " = " + f.get(k));
        }
        assertTrue(number(f, "max_abs_diff") < 1e-5, "cached features differ from the encoder's: " + f.get("max_abs_diff"));
        assertEquals((long) FeaturesBenchmark.vitForward(v, 3), ((Number) f.get("flops_per_step")).longValue());
    }

    private static long benchFolders() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("qformerlab-bench-features")).count();
        }
    }
}
