package org.qformerlab.blip2.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * A training batch before it becomes tensors: distinct samples, each paired with one of its
 * captions ({@code captions.get(i)} describes {@code samples.get(i)}).
 */
public record SampledBatch(List<Sample> samples, List<String> captions) {

    public SampledBatch {
        samples = List.copyOf(samples);
        captions = List.copyOf(captions);
        if (samples.size() != captions.size()) {
            throw new IllegalArgumentException(samples.size() + " samples but " + captions.size() + " captions");
        }
    }

    /** Number of image-caption pairs. */
    public int size() {
        return samples.size();
    }

    /** The samples' ids, in batch order. */
    public int[] sampleIds() {
        return samples.stream().mapToInt(Sample::id).toArray();
    }

    /**
     * [B, B] in {@code scope}: 1 where caption j is also true of sample i's scene besides its own
     * ({@link CaptionTruth#alsoTrue}), 0 elsewhere and on the diagonal.
     */
    public NDArray alsoTrue(NDManager scope) {
        boolean[][] also = CaptionTruth.alsoTrue(samples, captions);
        int b = also.length;
        float[] flat = new float[b * b];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < b; j++) {
                flat[i * b + j] = also[i][j] ? 1f : 0f;
            }
        }
        return scope.create(flat, new Shape(b, b));
    }
}
