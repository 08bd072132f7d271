package org.qformerlab.blip2.experiment.evaluation;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.vision.FeatureProbe;
import org.qformerlab.blip2.vision.ImageFeatures;
import org.qformerlab.blip2.vision.PatchPixels;

/**
 * What a frozen image encoder's features say about each scene, by {@link FeatureProbe} (fitted on
 * the training split, scored on the test split), beside the same probe of 16x16 pixel patches and
 * the most frequent answer: the number a user reads before blaming the Q-Former for what the
 * encoder never encoded. {@link #ATTRIBUTES} are the ones the embedded encoder is held to (each at
 * least {@link #GATE}).
 *
 * @param encoder the encoder's name ({@code "supervised vit"}, {@code "patch pixels"}, ...)
 * @param accuracy per attribute, the encoder's probe
 * @param pixelPatches per attribute, the pixel patches' probe; empty when not measured (the encoder
 *     is pixel patches itself, or the images are not a multiple of 16 pixels)
 * @param majority per attribute, always answering the training split's most frequent answer
 * @param seconds wall-clock seconds of both probes
 */
public record EncoderProbe(String encoder, Map<String, Double> accuracy, Map<String, Double> pixelPatches,
                           Map<String, Double> majority, double seconds) {

    /** Each object's colour, shape and size at its cell, every object's position, and the count. */
    public static final List<String> ATTRIBUTES =
            List.of("object_colour", "object_shape", "object_size", "positions", "count");

    /** What the embedded encoder's probe must reach on every attribute of {@link #ATTRIBUTES}. */
    public static final double GATE = 0.95;

    /** Side of the pixel patches compared against (the preset's former encoder). */
    public static final int PIXEL_PATCH = 16;

    /**
     * Probes {@code features} (named {@code encoder}) and, unless {@code pixelsToo} is false, 16x16
     * pixel patches of the same images.
     */
    public static EncoderProbe measure(String encoder, ImageFeatures features, ShapesDataset world, boolean pixelsToo,
                                       NDManager manager) {
        long t0 = System.nanoTime();
        List<Sample> fit = world.split(Split.TRAIN);
        List<Sample> score = world.split(Split.TEST);
        int maxObjects = world.config().maxObjects();
        FeatureProbe.Result own = FeatureProbe.run(features, fit, score, maxObjects, manager);
        Map<String, Double> pixels = new LinkedHashMap<>();
        if (pixelsToo && world.config().imageSize() % PIXEL_PATCH == 0) {
            List<Sample> both = new ArrayList<>(fit);
            both.addAll(score);
            try (PatchPixels patches = PatchPixels.compute(both, PIXEL_PATCH, manager)) {
                pixels.putAll(FeatureProbe.run(patches, fit, score, maxObjects, manager).accuracy());
            }
        }
        return new EncoderProbe(encoder, own.accuracy(), pixels, own.baseline(), (System.nanoTime() - t0) / 1e9);
    }

    /** Whether every attribute of {@link #ATTRIBUTES} reaches {@link #GATE}. */
    public boolean passes() {
        return ATTRIBUTES.stream().allMatch(a -> accuracy.getOrDefault(a, 0.0) >= GATE);
    }

    /** One row per attribute: encoder, pixel patches (when measured), most frequent answer. */
    public List<Map<String, Object>> rows() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map.Entry<String, Double> e : accuracy.entrySet()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("attribute", e.getKey());
            row.put(encoder, round(e.getValue()));
            if (!pixelPatches.isEmpty()) {
                row.put("pixel patches 16x16", round(pixelPatches.get(e.getKey())));
            }
            row.put("most frequent", round(majority.get(e.getKey())));
            rows.add(row);
        }
        return rows;
    }

    /** The summary in {@code results.json}. */
    public Map<String, Object> summary() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("encoder", encoder);
        out.put("fit", "train");
        out.put("scored", "test");
        out.put("accuracy", accuracy);
        if (!pixelPatches.isEmpty()) {
            out.put("pixel_patches", pixelPatches);
        }
        out.put("most_frequent", majority);
        out.put("seconds", seconds);
        return out;
    }

    /** A few lines for a console. */
    public String lines() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "encoder probe (linear, fitted on train, scored on test), %s%s | most frequent:%n", encoder,
                pixelPatches.isEmpty() ? "" : " | pixel patches 16x16"));
        for (Map.Entry<String, Double> e : accuracy.entrySet()) {
            sb.append(String.format(Locale.ROOT, "  %-14s %.3f%s | %.3f%n", e.getKey(), e.getValue(),
                    pixelPatches.isEmpty() ? "" : String.format(Locale.ROOT, " | %.3f", pixelPatches.get(e.getKey())),
                    majority.get(e.getKey())));
        }
        return sb.toString();
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
