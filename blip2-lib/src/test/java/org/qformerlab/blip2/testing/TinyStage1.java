package org.qformerlab.blip2.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.qformerlab.blip2.config.ObjectiveConfig;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.objectives.Stage1Objective;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.train.Trainer;

/** A tiny stage-1 task on random features and texts, for trainer tests: batches are a function of the step. */
public final class TinyStage1 {

    public final QFormerConfig config = QFormerConfig.tiny();
    public final NDArray images;
    public final NDArray ids;
    public final NDArray mask;
    public final int pairs;
    public final int batch;

    public TinyStage1(NDManager m, int pairs, int batch, long seed) {
        this.pairs = pairs;
        this.batch = batch;
        Seeds.set(seed);
        images = m.randomNormal(new Shape(pairs, 5, config.visionWidth()));
        ids = m.randomInteger(5, config.vocabSize(), new Shape(pairs, 6), DataType.INT64);
        ids.set(new NDIndex(":, 0"), (long) config.clsTokenId());
        mask = m.ones(new Shape(pairs, 6), DataType.INT64);
    }

    /** Rows of a dataset array, owned by the step's scope (a slice would otherwise join the dataset's manager). */
    private static NDArray rows(NDManager scope, NDArray data, NDArray index) {
        NDArray out = data.get(index);
        out.attach(scope);
        return out;
    }

    public Blip2QFormer model(NDManager m, long seed) {
        Seeds.set(seed);
        return Blip2QFormer.create(config, m);
    }

    /** Step function: batch {@code step} of a seeded permutation per epoch. */
    public Trainer.StepFunction step(Blip2QFormer model, ObjectiveConfig oc) {
        Stage1Objective objective = new Stage1Objective(oc);
        int perEpoch = pairs / batch;
        return (scope, step) -> {
            int epoch = (int) (step / perEpoch);
            int[] order = new SplittableRandom(epoch * 31L + 7).ints(0, Integer.MAX_VALUE).limit(pairs).toArray();
            Integer[] idx = new Integer[pairs];
            for (int i = 0; i < pairs; i++) {
                idx[i] = i;
            }
            java.util.Arrays.sort(idx, (a, b) -> Integer.compare(order[a], order[b]));
            long[] rows = new long[batch];
            int from = (int) (step % perEpoch) * batch;
            for (int i = 0; i < batch; i++) {
                rows[i] = idx[from + i];
            }
            NDArray r = scope.create(rows);
            return objective.forward(scope, model, rows(scope, images, r), rows(scope, ids, r), rows(scope, mask, r), true)
                    .terms();
        };
    }
}
