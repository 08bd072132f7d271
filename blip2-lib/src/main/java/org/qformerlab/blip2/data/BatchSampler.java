package org.qformerlab.blip2.data;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Splits a list of samples into shuffled training batches, one epoch at a time, and picks one
 * caption per sample at random. Epoch {@code e} of seed {@code s} is always the same.
 *
 * <p>Contrastive (ITC) and matching (ITM) losses treat every other image in a batch as a negative,
 * so a batch never holds the same sample twice, nor two samples of the same shapes-world scene
 * (train may repeat a scene; both copies in one batch would be false negatives). Every sample
 * appears at most once per epoch; a sample that would repeat a scene waits for the next batch,
 * so a few batches at the end of an epoch may be smaller than {@code batchSize}. A batch of a
 * single sample is dropped (it has no in-batch negative, so ITC and ITM cannot use it); that sample
 * comes back in the next epoch's shuffle. Every other sample appears exactly once per epoch.
 */
public final class BatchSampler {

    /** Keeps the sampler's streams apart from a shapes world generated with the same seed. */
    private static final long SALT = 0x53_41_4D_50_4C_45L; // "SAMPLE"

    private final List<Sample> samples;
    private final int batchSize;
    private final long seed;

    /**
     * @throws IllegalArgumentException if {@code batchSize < 1}, two samples share an id, or a
     *                                  sample has no caption
     */
    public BatchSampler(List<Sample> samples, int batchSize, long seed) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        Set<Integer> ids = new HashSet<>();
        for (Sample s : samples) {
            if (!ids.add(s.id())) {
                throw new IllegalArgumentException("sample id " + s.id() + " appears twice");
            }
            if (s.captions().isEmpty()) {
                throw new IllegalArgumentException("sample " + s.id() + " has no caption to train on");
            }
        }
        this.samples = List.copyOf(samples);
        this.batchSize = batchSize;
        this.seed = Randoms.derive(seed, SALT);
    }

    /**
     * The batches of one epoch (0-based), each sample at most once (exactly once unless it was left
     * alone in a batch), in a seed- and epoch-determined order.
     */
    public List<SampledBatch> epoch(int epoch) {
        SplittableRandom rng = Randoms.stream(seed, epoch);
        LinkedList<Sample> waiting = new LinkedList<>(Randoms.shuffled(samples, rng));
        List<SampledBatch> batches = new ArrayList<>();
        while (!waiting.isEmpty()) {
            List<Sample> members = takeDistinct(waiting);
            List<String> captions = new ArrayList<>(members.size());
            for (Sample s : members) {
                captions.add(Randoms.pick(s.captions(), rng));
            }
            if (members.size() >= 2 || batchSize == 1) {
                batches.add(new SampledBatch(members, captions));
            }
        }
        return batches;
    }

    /** Number of samples per epoch. */
    public int sampleCount() {
        return samples.size();
    }

    /** The largest batch size. */
    public int batchSize() {
        return batchSize;
    }

    /** Removes and returns up to batchSize samples from the front of the queue, no two of the same scene. */
    private List<Sample> takeDistinct(LinkedList<Sample> waiting) {
        List<Sample> members = new ArrayList<>(batchSize);
        Set<Object> keys = new HashSet<>();
        Iterator<Sample> it = waiting.iterator();
        while (it.hasNext() && members.size() < batchSize) {
            Sample s = it.next();
            if (keys.add(identity(s))) {
                members.add(s);
                it.remove();
            }
        }
        return members;
    }

    /** What makes two samples "the same image": their scene if they have one, else their id. */
    private static Object identity(Sample s) {
        return s.hasScene() ? s.scene().description() : s.id();
    }
}
