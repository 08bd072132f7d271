package org.qformerlab.blip2.data;

import ai.djl.ndarray.NDArray;

/**
 * Encoded texts as tensors.
 *
 * @param ids  {@code [N, T]} int64 token ids
 * @param mask {@code [N, T]} int64, 1 for real tokens, 0 for padding
 */
public record TextTensors(NDArray ids, NDArray mask) {
}
