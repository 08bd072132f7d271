package org.qformerlab.blip2.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * The size of one optimiser step: the root mean square, over every trainable weight, of what the
 * step changed. AdamW divides each weight's gradient by its own running scale, so the step's size
 * is set by the learning rate and by how the moments are kept, not by the gradient's size: with
 * one pair of moments per loss ({@code train.perLossMoments}) each loss takes its own normalised
 * step and a weight that several losses train moves further per unit of learning rate. The trainer
 * logs this ({@code update_rms}) on its log steps, so a study can give a one-pair control the
 * learning rate that matches the per-loss mode's measured step.
 */
final class UpdateSize {

    private UpdateSize() {}

    /** Copies of the trainable weights before the step, owned by {@code scope}. */
    static List<NDArray> before(List<Parameter> trainable, NDManager scope) {
        List<NDArray> copies = new ArrayList<>(trainable.size());
        for (Parameter p : trainable) {
            NDArray copy = p.getArray().duplicate();
            copy.attach(scope);
            copies.add(copy);
        }
        return copies;
    }

    /** sqrt(sum over weights of (after - before)^2 / number of weights). */
    static double rms(List<Parameter> trainable, List<NDArray> before, NDManager scope) {
        double sum = 0;
        long count = 0;
        for (int i = 0; i < trainable.size(); i++) {
            NDArray after = trainable.get(i).getArray();
            try (NDManager sub = scope.newSubManager()) {
                NDArray d = after.sub(before.get(i));
                d.attach(sub);
                NDArray sq = d.square().sum();
                sq.attach(sub);
                sum += sq.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
            }
            count += after.size();
        }
        return count == 0 ? 0 : Math.sqrt(sum / count);
    }
}
