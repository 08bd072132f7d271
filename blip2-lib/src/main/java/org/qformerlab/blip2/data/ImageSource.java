package org.qformerlab.blip2.data;

import java.awt.image.BufferedImage;

/**
 * Produces a sample's image on demand. Synthetic images are re-rendered from their scene and real
 * images re-read from disk each time, so a dataset holds no pixels until they are needed (the
 * frozen image encoder's features are what gets cached, not the images).
 */
@FunctionalInterface
public interface ImageSource {

    /** A fresh RGB image; callers may modify it. */
    BufferedImage load();
}
