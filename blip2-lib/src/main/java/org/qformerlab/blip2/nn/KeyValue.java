package org.qformerlab.blip2.nn;

import ai.djl.ndarray.NDArray;

/**
 * Keys and values of one attention, split into heads: [B, heads, positions, headSize] each.
 * Kept to reuse work: image keys/values are projected once per image and shared by the query, ITM
 * and ITG passes; the queries' self-attention keys/values are reused by ITG (LAVIS's cache).
 */
public record KeyValue(NDArray keys, NDArray values) {

    /** Appends {@code later} after these positions (prefix cache followed by new tokens). */
    public KeyValue concat(KeyValue later) {
        return new KeyValue(keys.concat(later.keys, 2), values.concat(later.values, 2));
    }

    /** Selects batch rows (e.g. the hard-negative image of every text). */
    public KeyValue rows(NDArray index) {
        return new KeyValue(keys.get(index), values.get(index));
    }
}
