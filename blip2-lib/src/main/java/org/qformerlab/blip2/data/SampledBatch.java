package org.qformerlab.blip2.data;

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
}
