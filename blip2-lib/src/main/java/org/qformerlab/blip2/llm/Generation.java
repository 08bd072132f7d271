package org.qformerlab.blip2.llm;

/**
 * Generated text per row: the new token ids, ending with EOS when the row stopped there (rows
 * may differ in length), and, when asked for, each step's raw logits [row][step][vocab].
 */
public record Generation(long[][] tokens, float[][][] stepLogits) {}
