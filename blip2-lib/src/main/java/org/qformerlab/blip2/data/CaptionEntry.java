package org.qformerlab.blip2.data;

/**
 * One caption of an evaluation set with the image it belongs to.
 *
 * @param text       the caption
 * @param sampleId   the owning sample's id
 * @param imageIndex the owning sample's position in {@link EvaluationSet#images()}
 */
public record CaptionEntry(String text, int sampleId, int imageIndex) {
}
