package org.qformerlab.blip2.objectives;

/** Chooses ITM's negatives from the batch's ITC similarities. */
public interface NegativeSampler {

    /** @param sim the similarities of the batch (gradients are not taken through sampling) */
    Negatives sample(Itc.Similarities sim);
}
