package org.qformerlab.blip2.data;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * One image with its captions and question-answer pairs: the unit every data source produces and
 * every consumer (batching, evaluation) takes. Identify samples by {@link #id()}: record equality
 * compares the image source by reference, so equal data from two loads is not {@code equals}.
 *
 * @param id          unique within a dataset (across all its splits)
 * @param imageSource makes the image; see {@link #image()}
 * @param captions    descriptions of the image, each of which is a positive text for it
 * @param qas         questions with unique answers (empty for caption-only data such as COCO)
 * @param scene       the ground truth of a synthetic image, or {@code null} for real data
 */
public record Sample(int id, ImageSource imageSource, List<String> captions, List<QA> qas, Scene scene) {

    public Sample {
        if (imageSource == null) {
            throw new IllegalArgumentException("sample " + id + ": imageSource must not be null");
        }
        captions = List.copyOf(captions);
        qas = List.copyOf(qas);
    }

    /** The image (rendered or read now). */
    public BufferedImage image() {
        return imageSource.load();
    }

    /** Whether the sample comes from the shapes world and so has a {@link #scene()}. */
    public boolean hasScene() {
        return scene != null;
    }
}
