package org.qformerlab.blip2.data;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Scenes for pretraining the image encoder on images alone, before any caption is seen: drawn from
 * their own seed, with every (colour, shape) combination (an encoder pretrained on a broad image
 * collection has seen every kind of object; what the compositional split holds out is which
 * combinations the <i>captions</i> of the alignment data name), and disjoint from a shapes world:
 *
 * <ul>
 *   <li>no pool scene has the description of a validation, test or compositional scene, so the
 *       encoder has never seen an evaluation scene, not even with its objects shifted inside their
 *       cells;</li>
 *   <li>no pool scene is a training scene (same objects at the same coordinates, the same image).
 *       Descriptions may repeat, as two photographs of a red ball may: a world has only
 *       9 x 30 x 2 = 540 one-object descriptions and its training split uses most of them.</li>
 * </ul>
 *
 * A scene that breaks a rule is skipped and the next one drawn, so the pool is a function of
 * (seed, size, maxObjects, excluded world). Images are rendered on demand ({@link #image}).
 *
 * @param seed seeds the scene stream
 * @param scenes the pool, in drawing order
 * @param excluded the world it is disjoint from
 */
public record ImagePool(long seed, List<Scene> scenes, ShapesWorldConfig excluded) {

    /** Salt of the pool's random stream (no split uses it: splits use 0..3). */
    private static final long STREAM = 0x504F4F4CL; // "POOL"

    public ImagePool {
        scenes = List.copyOf(scenes);
    }

    /**
     * Draws {@code size} scenes of 1 to {@code maxObjects} objects that obey the rules above against
     * {@code excluded}.
     */
    public static ImagePool draw(long seed, int size, int maxObjects, ShapesDataset excluded) {
        if (size < 1) {
            throw new IllegalArgumentException("the image pool needs at least one scene, got size=" + size);
        }
        Rules rules = new Rules(excluded);
        SceneSampler sampler = new SceneSampler(maxObjects);
        SplittableRandom rng = Randoms.stream(seed, STREAM);
        List<ColourShape> all = ColourShape.all();
        List<Scene> scenes = new ArrayList<>(size);
        long draws = 0;
        while (scenes.size() < size) {
            if (++draws > 20L * size + 10_000) {
                throw new IllegalStateException("only " + scenes.size() + " of " + size + " pool scenes are disjoint"
                        + " from the world's; lower the pool size or change maxObjects");
            }
            Scene scene = sampler.sample(rng, all, all);
            if (rules.allows(scene)) {
                scenes.add(scene);
            }
        }
        return new ImagePool(seed, scenes, excluded.config());
    }

    public int size() {
        return scenes.size();
    }

    /** The {@code index}-th scene rendered as a {@code imageSize x imageSize} image. */
    public java.awt.image.BufferedImage image(int index, int imageSize) {
        return SceneRenderer.render(scenes.get(index), imageSize);
    }

    /**
     * Checks the rules against {@code world} (which may be another world than the one the pool was
     * drawn against) and returns the pool; names the first scene that breaks one.
     *
     * @throws IllegalStateException if a pool scene is an evaluation scene of {@code world} or one of
     *     its training images
     */
    public ImagePool requireDisjointFrom(ShapesDataset world) {
        Rules rules = new Rules(world);
        for (int i = 0; i < scenes.size(); i++) {
            String why = rules.violation(scenes.get(i));
            if (why != null) {
                throw new IllegalStateException("pool scene " + i + " (" + scenes.get(i).description() + ") " + why
                        + ": the encoder's pretraining images must be disjoint from the world's; draw the pool against"
                        + " this world (ImagePool.draw) or use another pool seed");
            }
        }
        return this;
    }

    /**
     * Checks that no pool scene is an image of {@code world}, in any split (the same objects at the
     * same coordinates). This is the guarantee against a world larger than the one the pool was drawn
     * against: at 2,800 images per evaluation split the evaluation scenes use nearly every one-object
     * description, so a pool kept description-disjoint from them would hold almost no one-object
     * scenes. Images stay disjoint, descriptions may recur, as a photograph of a red ball in an
     * encoder's pretraining set may describe a benchmark's image without being it.
     */
    public ImagePool requireNoImageOf(ShapesDataset world) {
        Set<Scene> images = new HashSet<>();
        for (Split split : Split.values()) {
            for (Sample s : world.split(split)) {
                images.add(s.scene());
            }
        }
        for (int i = 0; i < scenes.size(); i++) {
            if (images.contains(scenes.get(i))) {
                throw new IllegalStateException("pool scene " + i + " (" + scenes.get(i).description() + ") is an image"
                        + " of the world: the encoder's pretraining images must not be the world's; draw the pool"
                        + " against this world (ImagePool.draw) or use another pool seed");
            }
        }
        return this;
    }

    /** The two disjointness rules against one world. */
    private static final class Rules {
        private final Set<String> evaluation = new HashSet<>();
        private final Set<Scene> training;

        Rules(ShapesDataset world) {
            for (Split split : Split.values()) {
                if (split.isEvaluation()) {
                    for (Sample s : world.split(split)) {
                        evaluation.add(s.scene().description());
                    }
                }
            }
            training = new HashSet<>();
            for (Sample s : world.split(Split.TRAIN)) {
                training.add(s.scene());
            }
        }

        boolean allows(Scene scene) {
            return violation(scene) == null;
        }

        String violation(Scene scene) {
            if (evaluation.contains(scene.description())) {
                return "describes a validation, test or compositional scene";
            }
            if (training.contains(scene)) {
                return "is a training image";
            }
            return null;
        }
    }
}
