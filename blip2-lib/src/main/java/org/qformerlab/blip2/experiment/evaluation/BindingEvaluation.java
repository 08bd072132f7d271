package org.qformerlab.blip2.experiment.evaluation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.qformerlab.blip2.config.MaskSpec;
import org.qformerlab.blip2.data.BindingFoils;
import org.qformerlab.blip2.data.FoilType;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.data.TextPadding;
import org.qformerlab.blip2.data.TextTensors;
import org.qformerlab.blip2.eval.Binding;
import org.qformerlab.blip2.eval.PairScorer;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.vision.ImageFeatures;

/**
 * The binding benchmark on a split of the world: every image's true captions against their foils
 * ({@link BindingFoils}), each pair scored by ITC, ITM and ITG ({@link PairScorer}), accuracy per foil
 * type and scorer ({@link Binding}).
 */
public final class BindingEvaluation {

    private final Blip2QFormer model;
    private final ImageFeatures features;
    private final TextPadding padding;
    private final int batchSize;
    private final MaskSpec itmMask;

    /** @param itmMask the mask ITM scores pairs under: the one the model was trained with */
    public BindingEvaluation(Blip2QFormer model, ImageFeatures features, TextPadding padding, int batchSize, MaskSpec itmMask) {
        this.model = model;
        this.features = features;
        this.padding = padding;
        this.batchSize = batchSize;
        this.itmMask = itmMask;
    }

    /**
     * @param seed chooses which pairs, relations and objects the foils rebind
     * @return null when the split has no scenes to make foils from
     */
    public SplitBinding evaluate(NDManager manager, ShapesDataset world, Split split, long seed) {
        long start = System.nanoTime();
        List<Sample> samples = world.split(split);
        List<BindingFoils.Foil> foils = BindingFoils.of(samples, seed);
        if (foils.isEmpty()) {
            return null;
        }
        long[] rows = foils.stream().mapToLong(BindingFoils.Foil::imageIndex).toArray();
        float[][] caption;
        float[][] foil;
        try (NDManager scope = manager.newSubManager()) {
            NDArray images = features.get(scope, samples.stream().mapToInt(Sample::id).toArray());
            PairScorer scorer = new PairScorer(batchSize, itmMask);
            TextTensors t = padding.collate(scope, foils.stream().map(BindingFoils.Foil::caption).toList());
            caption = scorer.score(scope, model, images, rows, t.ids(), t.mask());
            TextTensors f = padding.collate(scope, foils.stream().map(BindingFoils.Foil::foil).toList());
            foil = scorer.score(scope, model, images, rows, f.ids(), f.mask());
        }
        List<FoilType> types = foils.stream().map(BindingFoils.Foil::type).toList();
        return new SplitBinding(split, samples.size(), Binding.of(types, caption, foil), foils.subList(0,
                Math.min(EXAMPLES, foils.size())), (System.nanoTime() - start) / 1e9);
    }

    /** Foils kept to show in the report. */
    private static final int EXAMPLES = 8;
}
