package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.nn.GradMode;

/**
 * Image features computed on every call: render the images, run the frozen encoder (no gradients).
 * What a pipeline without a {@link FeatureCache} does each step; kept to measure what the cache
 * saves, and for data too large to cache.
 */
public final class EncoderImageFeatures implements ImageFeatures {

    private final VisionTransformer encoder;
    private final Map<Integer, Sample> byId = new HashMap<>();

    public EncoderImageFeatures(VisionTransformer encoder, Collection<Sample> samples) {
        this.encoder = encoder;
        for (Sample s : samples) {
            byId.put(s.id(), s);
        }
    }

    @Override
    public NDArray get(NDManager scope, int[] sampleIds) {
        List<Sample> samples = new ArrayList<>(sampleIds.length);
        for (int id : sampleIds) {
            Sample s = byId.get(id);
            if (s == null) {
                throw new IllegalArgumentException("sample id " + id + " is not among the " + byId.size()
                        + " samples this encoder was given: pass the samples you train on");
            }
            samples.add(s);
        }
        try (GradMode ignored = GradMode.off()) {
            return encoder.features(FeatureCache.pixels(scope, samples));
        }
    }

    @Override
    public int width() {
        return encoder.config().width();
    }
}
