package org.qformerlab.blip2.config;

/**
 * How ITM's negative pairs are drawn from the batch. BLIP-2 uses {@link #HARD}: for each text an
 * image drawn with probability softmax(ITC similarity), so the pairs the contrastive model confuses
 * are shown to the matcher most often. {@link #RANDOM} draws any other pair of the batch uniformly:
 * the ablation that asks whether the hard mining earns its keep. Either way a drawn pair may match
 * after all (on a world of partial captions "three shapes" fits many images):
 * {@link ObjectiveConfig#itmExcludeFalseNegatives()} keeps such pairs out.
 */
public enum ItmNegatives {
    HARD,
    RANDOM
}
