package org.qformerlab.blip2.report;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.qformerlab.blip2.checkpoint.AtomicFiles;

/** PNG encoding of rendered images, in memory (notebooks) or to a file (reports). */
final class PngImages {

    private PngImages() {
    }

    static byte[] encode(BufferedImage image) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", png)) {
            throw new IOException("no PNG writer for image type " + image.getType());
        }
        return png.toByteArray();
    }

    static void save(BufferedImage image, Path file) throws IOException {
        AtomicFiles.write(file, encode(image));
    }
}
