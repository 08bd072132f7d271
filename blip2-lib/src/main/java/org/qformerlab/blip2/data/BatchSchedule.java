package org.qformerlab.blip2.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Training step -> batch: the sampler's epochs laid end to end. A pure function of (seed, step), so
 * a resumed run sees exactly the batches the uninterrupted run would have.
 */
public final class BatchSchedule {

    private final BatchSampler sampler;
    private final List<SampledBatch> batches = new ArrayList<>();
    private int epochs;

    public BatchSchedule(BatchSampler sampler) {
        this.sampler = sampler;
    }

    public synchronized SampledBatch at(long step) {
        while (batches.size() <= step) {
            batches.addAll(sampler.epoch(epochs++));
        }
        return batches.get((int) step);
    }

    synchronized int epochsStarted() {
        return epochs;
    }
}
