package org.qformerlab.blip2.data;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CocoCaptionsTest {

    @TempDir
    Path dir;
    private Path images;

    @BeforeEach
    void writeTinyDataset() throws IOException {
        images = Files.createDirectories(dir.resolve("images"));
        ImageIO.write(solid(20, 10, 0xFF0000, BufferedImage.TYPE_INT_RGB), "png", images.resolve("a.png").toFile());
        ImageIO.write(solid(8, 8, 0x00FF00, BufferedImage.TYPE_INT_ARGB), "png", images.resolve("b.png").toFile());
        ImageIO.write(solid(12, 12, 0x0000FF, BufferedImage.TYPE_INT_RGB), "jpg", images.resolve("c.jpg").toFile());
    }

    @Test
    void loadsSamplesWithTheirCaptionsAndResizedImages() throws IOException {
        Path json = write("captions.json", """
                {"images": [{"id": 1, "file_name": "a.png"},
                            {"id": 2, "file_name": "b.png", "width": 8},
                            {"id": 5, "file_name": "c.jpg"}],
                 "annotations": [{"image_id": 2, "caption": " a green square\\n", "id": 10},
                                 {"image_id": 1, "caption": "a red rectangle"},
                                 {"image_id": 2, "caption": "green"}],
                 "info": {"year": 2014}}
                """);
        List<Sample> samples = CocoCaptions.load(json, images, 16);
        assertEquals(List.of(1, 2, 5), samples.stream().map(Sample::id).toList());
        assertEquals(List.of("a red rectangle"), samples.get(0).captions());
        assertEquals(List.of("a green square", "green"), samples.get(1).captions());
        assertEquals(List.of(), samples.get(2).captions(), "an image without captions is kept, e.g. for retrieval galleries");
        for (Sample s : samples) {
            assertFalse(s.hasScene());
            assertTrue(s.qas().isEmpty());
            BufferedImage image = s.image();
            assertEquals(16, image.getWidth());
            assertEquals(16, image.getHeight());
        }
        assertEquals(0xFF0000, samples.get(0).image().getRGB(8, 8) & 0xFFFFFF);
        assertEquals(0x00FF00, samples.get(1).image().getRGB(8, 8) & 0xFFFFFF);
        int blue = samples.get(2).image().getRGB(8, 8);
        assertTrue((blue & 0xFF) > 200 && ((blue >> 16) & 0xFF) < 50, "jpeg stays blue: " + Integer.toHexString(blue));
    }

    @Test
    void realSamplesRunThroughTheSamePipeline() throws IOException {
        Path json = write("captions.json", """
                {"images": [{"id": 1, "file_name": "a.png"}, {"id": 2, "file_name": "b.png"}],
                 "annotations": [{"image_id": 1, "caption": "a red rectangle"}, {"image_id": 2, "caption": "a green square"}]}
                """);
        List<Sample> samples = CocoCaptions.load(json, images, 16);
        SampledBatch batch = new BatchSampler(samples, 4, 0).epoch(0).get(0);
        assertEquals(2, batch.size());
        assertEquals(2 * 3 * 16 * 16, ImageTensors.pixels(batch.samples().stream().map(Sample::image).toList()).length);
        EvaluationSet eval = EvaluationSet.of(samples);
        assertEquals(List.of("a red rectangle", "a green square"), eval.captionTexts());
    }

    @Test
    void missingImageFileNamesTheEntryAndTheFile() throws IOException {
        Path json = write("captions.json", """
                {"images": [{"id": 1, "file_name": "a.png"}, {"id": 2, "file_name": "missing.png"}],
                 "annotations": []}
                """);
        DataFileException e = assertThrows(DataFileException.class, () -> CocoCaptions.load(json, images, 16));
        assertEquals(json + ": images[1] (id 2): image file not found: " + images.resolve("missing.png"), e.getMessage());
    }

    @Test
    void jsonSyntaxErrorGivesTheLocation() throws IOException {
        Path json = write("captions.json", """
                {"images": [{"id": 1, "file_name": "a.png"}],
                 "annotations": [
                   {"image_id": 1 "caption": "no comma before me"}]}
                """);
        DataFileException e = assertThrows(DataFileException.class, () -> CocoCaptions.load(json, images, 16));
        assertTrue(e.getMessage().startsWith(json + ": not valid JSON at line 3, column 19: "), e.getMessage());
    }

    @Test
    void annotationForAnUnknownImageIsAnError() throws IOException {
        Path json = write("captions.json", """
                {"images": [{"id": 1, "file_name": "a.png"}],
                 "annotations": [{"image_id": 1, "caption": "fine"}, {"image_id": 99, "caption": "orphan"}]}
                """);
        DataFileException e = assertThrows(DataFileException.class, () -> CocoCaptions.load(json, images, 16));
        assertEquals(json + ": annotations[1] refers to unknown image_id 99", e.getMessage());
    }

    @Test
    void unreadableImageNamesTheEntryAndTheFile() throws IOException {
        Files.writeString(images.resolve("garbage.png"), "this is not an image");
        Path json = write("captions.json", """
                {"images": [{"id": 4, "file_name": "garbage.png"}], "annotations": []}
                """);
        DataFileException e = assertThrows(DataFileException.class, () -> CocoCaptions.load(json, images, 16));
        assertEquals(json + ": images[0] (id 4): cannot read image " + images.resolve("garbage.png")
                + ": no image decoder recognises its format", e.getMessage());
    }

    @Test
    void imageThatBreaksWhileDecodingFailsWhenRead() throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        BufferedImage noise = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        SplittableRandom rng = new SplittableRandom(1);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                noise.setRGB(x, y, rng.nextInt(0x1000000));
            }
        }
        ImageIO.write(noise, "png", png);
        Path truncated = images.resolve("truncated.png");
        Files.write(truncated, Arrays.copyOf(png.toByteArray(), 200)); // header intact, pixel data cut off
        Path json = write("captions.json", """
                {"images": [{"id": 3, "file_name": "truncated.png"}], "annotations": [{"image_id": 3, "caption": "noise"}]}
                """);
        Sample sample = CocoCaptions.load(json, images, 16).get(0);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, sample::image);
        DataFileException cause = assertInstanceOf(DataFileException.class, e.getCause());
        assertEquals(truncated, cause.file());
        assertTrue(cause.getMessage().contains(json + " images[0] (id 3)"), cause.getMessage());
    }

    @Test
    void malformedEntriesAreNamed() throws IOException {
        assertLoadError("{\"images\": []}", "missing array 'annotations'");
        assertLoadError("[]", "expected a JSON object with 'images' and 'annotations'");
        assertLoadError("{\"images\": [{\"id\": \"x\", \"file_name\": \"a.png\"}], \"annotations\": []}",
                "images[0] needs an integer 'id', got \"x\"");
        assertLoadError("{\"images\": [{\"id\": 1}], \"annotations\": []}", "images[0] needs a non-empty string 'file_name', got null");
        assertLoadError("{\"images\": [{\"id\": 1, \"file_name\": \"a.png\"}, {\"id\": 1, \"file_name\": \"b.png\"}], \"annotations\": []}",
                "images[1] repeats id 1 of images[0]");
        assertLoadError("{\"images\": [{\"id\": 1, \"file_name\": \"a.png\"}], \"annotations\": [{\"image_id\": 1, \"caption\": \"  \"}]}",
                "annotations[0] needs a non-empty string 'caption', got \"  \"");
        assertLoadError("{\"images\": [{\"id\": 1, \"file_name\": \"a.png\"}], \"annotations\": [{\"caption\": \"x\"}]}",
                "annotations[0] needs an integer 'image_id', got null");
    }

    @Test
    void missingFilesAndFoldersAreNamed() throws IOException {
        NoSuchFileException noJson = assertThrows(NoSuchFileException.class,
                () -> CocoCaptions.load(dir.resolve("none.json"), images, 16));
        assertTrue(noJson.getMessage().contains("none.json") && noJson.getMessage().contains("captions file not found"), noJson.getMessage());
        Path json = write("captions.json", "{\"images\": [], \"annotations\": []}");
        NoSuchFileException noDir = assertThrows(NoSuchFileException.class,
                () -> CocoCaptions.load(json, dir.resolve("nowhere"), 16));
        assertTrue(noDir.getMessage().contains("nowhere") && noDir.getMessage().contains("image folder not found"), noDir.getMessage());
        assertEquals(List.of(), CocoCaptions.load(json, images, 16));
    }

    @Test
    void aFileNameThatLeavesTheImageFolderIsRefused() throws IOException {
        String leaves = ": image files must lie in the image folder " + images;
        assertLoadError("{\"images\": [{\"id\": 1, \"file_name\": \"../captions.json\"}], \"annotations\": []}",
                "images[0] file_name '../captions.json' climbs out of its folder with '..'" + leaves);
        assertLoadError("{\"images\": [{\"id\": 1, \"file_name\": \"a.png\"}, {\"id\": 2, \"file_name\": \"sub/../../x.png\"}],"
                + " \"annotations\": []}", "images[1] file_name 'sub/../../x.png' climbs out of its folder with '..'" + leaves);
        assertLoadError("{\"images\": [{\"id\": 1, \"file_name\": \"" + images.resolve("a.png") + "\"}], \"annotations\": []}",
                "images[0] file_name '" + images.resolve("a.png") + "' is absolute" + leaves);
        // a subfolder of the image folder is fine
        Files.createDirectories(images.resolve("train"));
        Files.copy(images.resolve("a.png"), images.resolve("train/a.png"));
        Path json = write("sub.json", "{\"images\": [{\"id\": 1, \"file_name\": \"train/a.png\"}], \"annotations\": []}");
        assertEquals(1, CocoCaptions.load(json, images, 4).size());
    }

    /** A PNG whose header declares {@code width x height} and holds no pixels: a few dozen bytes. */
    private static byte[] pngHeaderOnly(int width, int height) {
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(4 + 13);
        ihdr.put("IHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(ihdr.array());
        java.nio.ByteBuffer png = java.nio.ByteBuffer.allocate(8 + 4 + 17 + 4);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}).putInt(13).put(ihdr.array())
                .putInt((int) crc.getValue());
        return png.array();
    }

    @Test
    void anImageDeclaringTooManyPixelsIsRefusedBeforeDecoding() throws IOException {
        Path huge = Files.write(images.resolve("huge.png"), pngHeaderOnly(10_000, 10_000));
        assertLoadError("{\"images\": [{\"id\": 1, \"file_name\": \"huge.png\"}], \"annotations\": []}",
                "images[0] (id 1): image " + huge + " declares 10000 x 10000 pixels, more than the 50000000 decoded"
                        + " here; shrink it first");
        // 50 megapixels exactly pass the header check (loading reads no pixels)
        Files.write(images.resolve("edge.png"), pngHeaderOnly(10_000, 5_000));
        assertEquals(1, CocoCaptions.load(write("edge.json",
                "{\"images\": [{\"id\": 1, \"file_name\": \"edge.png\"}], \"annotations\": []}"), images, 16).size());

        // an image swapped for a huge one after loading is refused when it is read
        Path json = write("swap.json", "{\"images\": [{\"id\": 7, \"file_name\": \"a.png\"}], \"annotations\": []}");
        Sample sample = CocoCaptions.load(json, images, 16).get(0);
        Path a = Files.write(images.resolve("a.png"), pngHeaderOnly(20_000, 20_000));
        DataFileException cause = assertInstanceOf(DataFileException.class,
                assertThrows(UncheckedIOException.class, sample::image).getCause());
        assertEquals(a, cause.file());
        assertEquals(a + ": " + json + " images[0] (id 7): image " + a + " declares 20000 x 20000 pixels, more than"
                + " the 50000000 decoded here; shrink it first", cause.getMessage());
    }

    private void assertLoadError(String content, String expected) throws IOException {
        Path json = write("bad.json", content);
        DataFileException e = assertThrows(DataFileException.class, () -> CocoCaptions.load(json, images, 16));
        assertEquals(json + ": " + expected, e.getMessage());
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private static BufferedImage solid(int w, int h, int rgb, int type) {
        BufferedImage image = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, 0xFF000000 | rgb);
            }
        }
        return image;
    }
}
