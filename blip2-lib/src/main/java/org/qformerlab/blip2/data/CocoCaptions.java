package org.qformerlab.blip2.data;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.config.LocalNames;

/**
 * Loads real image-caption data in the COCO captions format, so the shapes-world pipeline runs
 * unchanged on real data:
 *
 * <pre>{@code
 * {"images":      [{"id": 1, "file_name": "a.jpg"}, ...],
 *  "annotations": [{"image_id": 1, "caption": "a dog on a sofa"}, ...]}
 * }</pre>
 *
 * Each image becomes a {@link Sample} with its captions (in file order), no QAs and no scene.
 * Loading checks everything it can cheaply — the JSON, every reference, that every
 * {@code file_name} stays inside the image folder (neither absolute nor with a {@code ..} part),
 * that every image file exists and has a decodable header declaring at most {@link #MAX_PIXELS}
 * pixels — and reports the first problem naming the file and the entry. Pixels are decoded and
 * resized only when {@link Sample#image()} is called, after the header's size is checked again
 * (a small file can declare an image that would fill the heap when decoded).
 */
public final class CocoCaptions {

    /** The most pixels an image may declare: 50 megapixels, 200 MB once decoded as RGB. */
    public static final long MAX_PIXELS = 50_000_000L;

    private static final ObjectMapper JSON = new ObjectMapper();

    private CocoCaptions() {
    }

    /**
     * Reads the captions file and checks the images it names.
     *
     * @param captionsFile the COCO-style JSON
     * @param imageDir     the folder that {@code file_name}s are relative to
     * @param imageSize    images are resized to {@code imageSize x imageSize} RGB
     * @throws NoSuchFileException if the captions file or the image folder does not exist
     * @throws DataFileException   for invalid JSON, a malformed or dangling entry, a missing or
     *                             undecodable image file
     */
    public static List<Sample> load(Path captionsFile, Path imageDir, int imageSize) throws IOException {
        if (imageSize < 1) {
            throw new IllegalArgumentException("imageSize must be >= 1, got " + imageSize);
        }
        if (!Files.isRegularFile(captionsFile)) {
            throw new NoSuchFileException(captionsFile.toString(), null, "captions file not found");
        }
        if (!Files.isDirectory(imageDir)) {
            throw new NoSuchFileException(imageDir.toString(), null, "image folder not found");
        }
        JsonNode root = parse(captionsFile);
        Map<Integer, ImageEntry> images = readImages(captionsFile, array(captionsFile, root, "images"), imageDir);
        Map<Integer, List<String>> captions = readCaptions(captionsFile, array(captionsFile, root, "annotations"), images);

        List<Sample> samples = new ArrayList<>(images.size());
        for (ImageEntry image : images.values()) {
            samples.add(new Sample(image.id(), reader(captionsFile, image, imageSize),
                    captions.getOrDefault(image.id(), List.of()), List.of(), null));
        }
        return List.copyOf(samples);
    }

    /** One entry of "images": where it is in the file and which image file it names. */
    private record ImageEntry(int index, int id, Path file) {
        String where() {
            return "images[" + index + "] (id " + id + ")";
        }
    }

    private static JsonNode parse(Path file) throws IOException {
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || !root.isObject()) {
                throw new DataFileException(file, "expected a JSON object with 'images' and 'annotations'");
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new DataFileException(file, "not valid JSON at line " + at.getLineNr() + ", column "
                    + at.getColumnNr() + ": " + e.getOriginalMessage(), e);
        }
    }

    private static JsonNode array(Path file, JsonNode root, String name) throws DataFileException {
        JsonNode node = root.get(name);
        if (node == null || !node.isArray()) {
            throw new DataFileException(file, "missing array '" + name + "'");
        }
        return node;
    }

    private static Map<Integer, ImageEntry> readImages(Path file, JsonNode array, Path imageDir) throws IOException {
        Map<Integer, ImageEntry> images = new LinkedHashMap<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode node = array.get(i);
            String entry = "images[" + i + "]";
            int id = intField(file, node, "id", entry);
            String fileName = textField(file, node, "file_name", entry);
            String escape = LocalNames.problem(fileName);
            if (escape != null) {
                throw new DataFileException(file, entry + " file_name '" + fileName + "' " + escape
                        + ": image files must lie in the image folder " + imageDir);
            }
            ImageEntry image = new ImageEntry(i, id, imageDir.resolve(fileName));
            ImageEntry previous = images.putIfAbsent(id, image);
            if (previous != null) {
                throw new DataFileException(file, entry + " repeats id " + id + " of images[" + previous.index() + "]");
            }
            if (!Files.isRegularFile(image.file())) {
                throw new DataFileException(file, image.where() + ": image file not found: " + image.file());
            }
            checkDecodable(file, image);
        }
        return images;
    }

    private static Map<Integer, List<String>> readCaptions(Path file, JsonNode array, Map<Integer, ImageEntry> images)
            throws DataFileException {
        Map<Integer, List<String>> captions = new LinkedHashMap<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode node = array.get(i);
            String entry = "annotations[" + i + "]";
            int imageId = intField(file, node, "image_id", entry);
            String caption = textField(file, node, "caption", entry).strip();
            if (!images.containsKey(imageId)) {
                throw new DataFileException(file, entry + " refers to unknown image_id " + imageId);
            }
            captions.computeIfAbsent(imageId, k -> new ArrayList<>()).add(caption);
        }
        return captions;
    }

    private static int intField(Path file, JsonNode node, String field, String entry) throws DataFileException {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new DataFileException(file, entry + " needs an integer '" + field + "', got " + value);
        }
        return value.intValue();
    }

    private static String textField(Path file, JsonNode node, String field, String entry) throws DataFileException {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new DataFileException(file, entry + " needs a non-empty string '" + field + "', got " + value);
        }
        return value.asText();
    }

    /** Reads just the image header: enough to know a decoder accepts the file, without decoding pixels. */
    private static void checkDecodable(Path file, ImageEntry image) throws DataFileException {
        decode(image.file(), file, image.where(), false);
    }

    /**
     * Opens an image, checks the size its header declares, and decodes the pixels if asked.
     * Problems are reported against {@code blame} (the captions file while loading, the image
     * itself when it is read later), naming the entry {@code where}.
     *
     * @return the decoded image, or null when {@code pixels} is false
     */
    private static BufferedImage decode(Path imageFile, Path blame, String where, boolean pixels)
            throws DataFileException {
        try (ImageInputStream in = ImageIO.createImageInputStream(imageFile.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new DataFileException(blame, where + ": cannot read image " + imageFile
                        + ": no image decoder recognises its format");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                if (width < 1 || height < 1) {
                    throw new DataFileException(blame, where + ": image " + imageFile + " is empty");
                }
                if (width * height > MAX_PIXELS) {
                    throw new DataFileException(blame, where + ": image " + imageFile + " declares " + width + " x "
                            + height + " pixels, more than the " + MAX_PIXELS + " decoded here; shrink it first");
                }
                return pixels ? reader.read(0) : null;
            } finally {
                reader.dispose();
            }
        } catch (DataFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new DataFileException(blame, where + ": cannot read image " + imageFile + ": " + e.getMessage(), e);
        }
    }

    /** Decodes and resizes the image on each call; failures name the image file and its entry. */
    private static ImageSource reader(Path captionsFile, ImageEntry image, int imageSize) {
        return () -> {
            try {
                return ImageTensors.resize(decode(image.file(), image.file(), captionsFile + " " + image.where(), true),
                        imageSize);
            } catch (DataFileException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
