package org.qformerlab.blip2.data;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchSamplerTest {

    private static List<Sample> train;

    @BeforeAll
    static void generate() {
        train = ShapesWorld.generate(ShapesWorldConfig.defaults().withCounts(1000, 0, 0, 0)).split(Split.TRAIN);
    }

    @Test
    void trainRepeatsScenesSoDistinctnessMatters() {
        long distinct = train.stream().map(s -> s.scene().description()).distinct().count();
        assertTrue(distinct < train.size(), "the test needs repeated scenes to be meaningful");
    }

    @Test
    void everySampleOncePerEpochInBatchesOfDistinctScenes() {
        BatchSampler sampler = new BatchSampler(train, 32, 9);
        for (int epoch = 0; epoch < 3; epoch++) {
            List<SampledBatch> batches = sampler.epoch(epoch);
            List<Integer> ids = new ArrayList<>();
            int small = 0;
            for (SampledBatch batch : batches) {
                assertTrue(batch.size() >= 2 && batch.size() <= 32, "batch of " + batch.size());
                small += batch.size() < 32 ? 1 : 0;
                Set<Integer> batchIds = new HashSet<>();
                Set<String> scenes = new HashSet<>();
                for (int i = 0; i < batch.size(); i++) {
                    Sample s = batch.samples().get(i);
                    assertTrue(batchIds.add(s.id()), "sample " + s.id() + " twice in a batch");
                    assertTrue(scenes.add(s.scene().description()), "scene twice in a batch: " + s.scene());
                    assertTrue(s.captions().contains(batch.captions().get(i)), "caption belongs to its sample");
                    ids.add(s.id());
                }
            }
            assertTrue(ids.size() >= train.size() - 1, "at most one lone sample is left out");
            assertEquals(ids.size(), new HashSet<>(ids).size(), "each sample at most once");
            assertTrue(small <= 2, small + " short batches");
        }
    }

    @Test
    void sameSeedAndEpochGiveTheSameBatches() {
        List<SampledBatch> a = new BatchSampler(train, 16, 3).epoch(5);
        List<SampledBatch> b = new BatchSampler(train, 16, 3).epoch(5);
        assertEquals(ids(a), ids(b));
        assertEquals(captions(a), captions(b));
    }

    @Test
    void epochsAndSeedsShuffleDifferently() {
        BatchSampler sampler = new BatchSampler(train, 16, 3);
        assertNotEquals(ids(sampler.epoch(0)), ids(sampler.epoch(1)));
        assertNotEquals(ids(sampler.epoch(0)), ids(new BatchSampler(train, 16, 4).epoch(0)));
    }

    @Test
    void captionChoiceVariesAcrossEpochs() {
        BatchSampler sampler = new BatchSampler(train.subList(0, 50), 50, 1);
        Set<String> seen = new HashSet<>();
        for (int epoch = 0; epoch < 20; epoch++) {
            SampledBatch batch = sampler.epoch(epoch).get(0);
            int i = batch.samples().stream().map(Sample::id).toList().indexOf(train.get(0).id());
            seen.add(batch.captions().get(i));
        }
        assertTrue(seen.size() >= 3, "captions of sample 0 over 20 epochs: " + seen);
    }

    @Test
    void invalidInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new BatchSampler(train, 0, 1));
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> new BatchSampler(List.of(train.get(0), train.get(0)), 2, 1));
        assertEquals("sample id " + train.get(0).id() + " appears twice", twice.getMessage());
        Sample mute = new Sample(7, train.get(0).imageSource(), List.of(), List.of(), null);
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> new BatchSampler(List.of(mute), 2, 1));
        assertEquals("sample 7 has no caption to train on", none.getMessage());
    }

    private static List<Integer> ids(List<SampledBatch> batches) {
        List<Integer> ids = new ArrayList<>();
        batches.forEach(b -> b.samples().forEach(s -> ids.add(s.id())));
        return ids;
    }

    private static List<String> captions(List<SampledBatch> batches) {
        List<String> captions = new ArrayList<>();
        batches.forEach(b -> captions.addAll(b.captions()));
        return captions;
    }

    /**
     * 33 samples in batches of 32: the 33rd would be alone, with no in-batch negative for ITC or
     * ITM (which would stop training), so it is dropped from that epoch; with batch size 1 nothing is.
     */
    @Test
    void aLoneSampleAtTheEndOfAnEpochIsDropped() {
        List<Sample> distinct = new ArrayList<>();
        Set<String> scenes = new HashSet<>();
        for (Sample s : train) {
            if (distinct.size() < 33 && scenes.add(s.scene().description())) {
                distinct.add(s);
            }
        }
        assertEquals(33, distinct.size());
        List<SampledBatch> batches = new BatchSampler(distinct, 32, 1).epoch(0);
        assertEquals(1, batches.size());
        assertEquals(32, batches.get(0).size());
        assertEquals(33, new BatchSampler(distinct, 1, 1).epoch(0).size());
    }
}
