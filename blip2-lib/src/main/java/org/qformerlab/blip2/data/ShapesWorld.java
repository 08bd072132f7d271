package org.qformerlab.blip2.data;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.SplittableRandom;

/**
 * The embedded default data: a deterministic synthetic world of coloured shapes, generated from a
 * {@link ShapesWorldConfig}. Each sample is a scene of 1 to {@code maxObjects} objects with several
 * captions and question-answer pairs, all derived from the scene and therefore true.
 *
 * <p>How it is built:
 * <ol>
 *   <li>a seed-determined set of (colour, shape) combinations is held out ({@link CompositionalHoldout});</li>
 *   <li>train, val and test scenes use only the other combinations; every compositional scene has at
 *       least one held-out combination;</li>
 *   <li>within val, test and compositional, scene descriptions are unique (scenes are redrawn until
 *       new), so "the same scene" and "the same sample" coincide there;</li>
 *   <li>each split draws from its own random stream, so changing one split's size leaves the others
 *       unchanged; images are rendered lazily by {@link SceneRenderer}.</li>
 * </ol>
 */
public final class ShapesWorld {

    /** How many redraws in a row may hit an already used scene before generation gives up. */
    private static final int MAX_REDRAWS = 10_000;

    private ShapesWorld() {
    }

    /** Generates the world described by the config (well under a second for the default). */
    public static ShapesDataset generate(ShapesWorldConfig config) {
        SortedSet<ColourShape> heldOut = CompositionalHoldout.choose(config.seed(), config.heldOutFraction());
        List<ColourShape> all = ColourShape.all();
        List<ColourShape> seen = new ArrayList<>(all);
        seen.removeAll(heldOut);
        SceneSampler sampler = new SceneSampler(config.maxObjects());

        Map<Split, List<Sample>> splits = new EnumMap<>(Split.class);
        int firstId = 0;
        for (Split split : Split.values()) {
            boolean compositional = split == Split.COMPOSITIONAL;
            List<ColourShape> firstPool = compositional ? List.copyOf(heldOut) : seen;
            List<ColourShape> restPool = compositional ? all : seen;
            splits.put(split, generateSplit(split, config, sampler, firstPool, restPool, firstId));
            firstId += config.count(split);
        }
        return new ShapesDataset(config, heldOut, splits);
    }

    private static List<Sample> generateSplit(Split split, ShapesWorldConfig config, SceneSampler sampler,
                                              List<ColourShape> firstPool, List<ColourShape> restPool, int firstId) {
        int count = config.count(split);
        SplittableRandom rng = Randoms.stream(config.seed(), split.ordinal());
        Set<String> used = new HashSet<>();
        List<Sample> samples = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Scene scene = sampler.sample(rng, firstPool, restPool);
            int redraws = 0;
            while (split.isEvaluation() && !used.add(scene.description())) {
                if (++redraws > MAX_REDRAWS) {
                    throw new IllegalStateException(split + " split: found only " + i + " distinct scenes of the "
                            + count + " asked for; lower the count or raise maxObjects");
                }
                scene = sampler.sample(rng, firstPool, restPool);
            }
            SplittableRandom textRng = rng.split();
            List<String> captions = CaptionWriter.write(scene, config.captionsPerImage(), textRng);
            List<QA> qas = QuestionWriter.write(scene, textRng);
            samples.add(new Sample(firstId + i, renderer(scene, config.imageSize()), captions, qas, scene));
        }
        return List.copyOf(samples);
    }

    private static ImageSource renderer(Scene scene, int imageSize) {
        return () -> SceneRenderer.render(scene, imageSize);
    }
}
