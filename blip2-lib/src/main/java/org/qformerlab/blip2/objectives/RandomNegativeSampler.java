package org.qformerlab.blip2.objectives;

import ai.djl.ndarray.NDArray;

/**
 * ITM negatives drawn uniformly: for each text any other image of the batch, and for each image any
 * other text, each with probability 1/(B-1). The same inverse-CDF draw as
 * {@link HardNegativeSampler} over all-equal scores, so only the distribution differs.
 */
public final class RandomNegativeSampler implements NegativeSampler {

    @Override
    public Negatives sample(Itc.Similarities sim, NDArray alsoTrue) {
        NDArray uniform = sim.textToImage().stopGradient().zerosLike();
        HardNegativeSampler.requireTwo(uniform);
        return new Negatives(HardNegativeSampler.draw(uniform, alsoTrue == null ? null : alsoTrue.transpose()),
                HardNegativeSampler.draw(uniform, alsoTrue));
    }
}
