package org.qformerlab.blip2.objectives;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Negatives given in advance instead of sampled: the hook that makes ITM reproducible (reference
 * fixtures, teaching examples, debugging).
 */
public final class FixedNegatives implements NegativeSampler {

    private final long[] imageForText;
    private final long[] textForImage;

    public FixedNegatives(long[] imageForText, long[] textForImage) {
        this.imageForText = imageForText.clone();
        this.textForImage = textForImage.clone();
    }

    @Override
    public Negatives sample(Itc.Similarities sim, NDArray alsoTrue) {
        long b = sim.imageToText().getShape().get(0);
        if (imageForText.length != b || textForImage.length != b) {
            throw new IllegalArgumentException(
                    "fixed negatives were given for " + imageForText.length + "/" + textForImage.length
                            + " rows but the batch has " + b);
        }
        NDManager m = sim.imageToText().getManager();
        return new Negatives(m.create(imageForText), m.create(textForImage));
    }
}
