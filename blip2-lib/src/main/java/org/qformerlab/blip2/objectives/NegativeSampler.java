package org.qformerlab.blip2.objectives;

import ai.djl.ndarray.NDArray;

/** Chooses ITM's negatives from the batch's ITC similarities. */
public interface NegativeSampler {

    /**
     * @param sim the similarities of the batch (gradients are not taken through sampling)
     * @param alsoTrue [B, B], 1 where text j also describes image i besides its own image (it must not
     *     be drawn as a negative of image i, nor image i as a negative of text j), 0 elsewhere; null
     *     when only the diagonal pairs match
     */
    Negatives sample(Itc.Similarities sim, NDArray alsoTrue);

    /** {@link #sample(Itc.Similarities, NDArray)} when only the diagonal pairs match. */
    default Negatives sample(Itc.Similarities sim) {
        return sample(sim, null);
    }
}
