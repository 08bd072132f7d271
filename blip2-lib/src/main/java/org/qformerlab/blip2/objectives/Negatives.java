package org.qformerlab.blip2.objectives;

import ai.djl.ndarray.NDArray;

/**
 * ITM's hard negatives for a batch: for each text an image that is not its own
 * ({@code imageForText}, int64 [B]) and for each image a text that is not its own
 * ({@code textForImage}, int64 [B]).
 */
public record Negatives(NDArray imageForText, NDArray textForImage) {}
