package org.qformerlab.blip2.experiment;

/** Where stage 2's Q-Former starts: the question behind BLIP-2's two-stage recipe. */
public enum Stage2Init {
    /** The Q-Former trained by stage 1 (ITC + ITM + ITG): BLIP-2 as published. */
    STAGE1,
    /** A randomly initialised Q-Former: stage 2 alone, the paper's ablation (Figure 5). */
    SCRATCH
}
