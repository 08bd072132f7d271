package org.qformerlab.blip2.experiment.config;

/**
 * Where stage 2's bridge starts: the question behind BLIP-2's two-stage recipe. Only the Q-Former
 * bridges ({@code stage2.bridge.type} {@code qformer}, {@code instruction-qformer}) have a stage 1;
 * the other bridges start from {@link #SCRATCH}, and {@link #STAGE1} with them is a config error.
 */
public enum Stage2Init {
    /** The Q-Former trained by stage 1 (ITC + ITM + ITG): BLIP-2 as published. */
    STAGE1,
    /** A randomly initialised Q-Former: stage 2 alone, the paper's ablation (Figure 5). */
    SCRATCH
}
