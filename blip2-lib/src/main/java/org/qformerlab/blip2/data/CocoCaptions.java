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
 * Loading checks everything it can cheaply — the JSON, every reference, that every image file
 * exists and has a decodable header — and reports the first problem naming the file and the
 * entry. Pixels are decoded and resized only when {@link Sample#image()} is called.
 */
public final class CocoCaptions {

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
        try (ImageInputStream in = ImageIO.createImageInputStream(image.file().toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new DataFileException(file, image.where() + ": cannot read image " + image.file()
                        + ": no image decoder recognises its format");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                if (reader.getWidth(0) < 1 || reader.getHeight(0) < 1) {
                    throw new DataFileException(file, image.where() + ": image " + image.file() + " is empty");
                }
            } finally {
                reader.dispose();
            }
        } catch (DataFileException e) {
            throw e;
        } catch (IOException e) {
            throw new DataFileException(file, image.where() + ": cannot read image " + image.file() + ": " + e.getMessage(), e);
        }
    }

    /** Decodes and resizes the image on each call; failures name the image file and its entry. */
    private static ImageSource reader(Path captionsFile, ImageEntry image, int imageSize) {
        return () -> {
            try {
                BufferedImage decoded = ImageIO.read(image.file().toFile());
                if (decoded == null) {
                    throw new DataFileException(image.file(), "no image decoder recognises it ("
                            + captionsFile + " " + image.where() + ")");
                }
                return ImageTensors.resize(decoded, imageSize);
            } catch (DataFileException e) {
                throw new UncheckedIOException(e);
            } catch (IOException e) {
                throw new UncheckedIOException(new DataFileException(image.file(), "cannot decode image ("
                        + captionsFile + " " + image.where() + "): " + e.getMessage(), e));
            }
        };
    }
}
