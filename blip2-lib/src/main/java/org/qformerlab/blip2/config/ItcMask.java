package org.qformerlab.blip2.config;

/**
 * Which attention mask the ITC branch runs under. BLIP-2 uses {@link #UNIMODAL}: queries and text
 * must not see each other, or the contrastive task leaks the answer. {@link #BIDIRECTIONAL} is the
 * "leaky" ablation that lets them.
 */
public enum ItcMask {
    UNIMODAL,
    BIDIRECTIONAL
}
