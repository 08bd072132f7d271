package org.qformerlab.blip2.experiment.evaluation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import org.qformerlab.blip2.config.MaskSpec;
import org.qformerlab.blip2.data.CaptionTruth;
import org.qformerlab.blip2.data.EvaluationSet;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.data.TextPadding;
import org.qformerlab.blip2.data.TextTensors;
import org.qformerlab.blip2.eval.McNemar;
import org.qformerlab.blip2.eval.Ranks;
import org.qformerlab.blip2.eval.Recall;
import org.qformerlab.blip2.eval.RetrievalScorer;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.vision.ImageFeatures;

/**
 * Image-text retrieval on a split of the world, as BLIP-2 reports it: every image against every
 * caption, ranked by ITC, then the top-k re-ranked by ITM ({@link RetrievalScorer}); recall@1/5/10
 * in both directions ({@link Recall}), with the chance level beside it; counted both as LAVIS does
 * (a hit is a caption's own image) and by what is true ({@link SplitRetrieval.Truth}).
 */
public final class RetrievalEvaluation {

    private static final int EXAMPLE_CAPTIONS = 3;

    /**
     * Image-caption pairs ranked and counted per unit of progress once the scores are in (the truth
     * of every caption about every scene, the ranks, the recalls), a unit being about the time of one
     * embedding ({@link RetrievalScorer#SIMILARITIES_PER_UNIT}): measured 36 s for the 31 million
     * pairs of the embedded preset's test split.
     */
    static final long PAIRS_PER_UNIT = 2_500;

    private final Blip2QFormer model;
    private final ImageFeatures features;
    private final TextPadding padding;
    private final int batchSize;
    private final MaskSpec itmMask;

    /** @param itmMask the mask ITM scores pairs under: the one the model was trained with */
    public RetrievalEvaluation(Blip2QFormer model, ImageFeatures features, TextPadding padding, int batchSize, MaskSpec itmMask) {
        this.model = model;
        this.features = features;
        this.padding = padding;
        this.batchSize = batchSize;
        this.itmMask = itmMask;
    }

    /** As {@link #evaluate(NDManager, ShapesDataset, Split, int, int, int)}, every query re-ranked. */
    public SplitRetrieval evaluate(NDManager manager, ShapesDataset world, Split split, int rerankK, int examples) {
        return evaluate(manager, world, split, rerankK, examples, 0);
    }

    /** As {@link #evaluate(NDManager, ShapesDataset, Split, int, int, int, LongConsumer)}, its progress untold. */
    public SplitRetrieval evaluate(NDManager manager, ShapesDataset world, Split split, int rerankK, int examples,
                            int rerankImages) {
        return evaluate(manager, world, split, rerankK, examples, rerankImages, units -> { });
    }

    /**
     * The work of {@link #evaluate} on {@code split}, in the units it tells its progress in: the
     * scorer's ({@link RetrievalScorer#work}: embeddings, similarities, ITM candidates), then the
     * ranking ({@link #PAIRS_PER_UNIT}).
     */
    public long work(ShapesDataset world, Split split, int rerankK, int rerankImages) {
        EvaluationSet set = EvaluationSet.of(world.split(split));
        int images = set.images().size();
        int texts = set.captionOwners().length;
        return scorer(set, rerankK, rerankImages).work(images, texts) + rankingUnits(images, texts);
    }

    /** The units of {@link #work} of ranking {@code images} images against {@code texts} texts. */
    private static long rankingUnits(long images, long texts) {
        return (images * texts + PAIRS_PER_UNIT - 1) / PAIRS_PER_UNIT;
    }

    /**
     * @param rerankK candidates re-ranked by ITM per query (0 = ITC only)
     * @param examples how many images (the split's first) to keep with their top captions
     * @param rerankImages the split's first this many images, and their captions, are the queries
     *     that ITM re-ranks (0 = all); ITC ranks every query
     * @param progress told the units of {@link #work} done, batch by batch, then the ranking's
     */
    public SplitRetrieval evaluate(NDManager manager, ShapesDataset world, Split split, int rerankK, int examples,
                            int rerankImages, LongConsumer progress) {
        EvaluationSet set = EvaluationSet.of(world.split(split));
        int[] owners = set.captionOwners();
        int imageQueries = imageQueries(set, rerankImages);
        int textQueries = textQueries(set, imageQueries);
        RetrievalScorer.Scores scores;
        try (NDManager scope = manager.newSubManager()) {
            int[] ids = set.images().stream().mapToInt(Sample::id).toArray();
            NDArray images = features.get(scope, ids);
            TextTensors texts = padding.collate(scope, set.captionTexts());
            scores = scorer(set, rerankK, rerankImages).score(scope, model, images, texts.ids(), texts.mask(), progress);
        }
        boolean[][] truth = truth(set, owners);
        Ranks itcRanks = Ranks.of(scores.itc(), null, owners);
        Recall itc = Recall.of(itcRanks, Recall.STANDARD_KS);
        Recall trueItc = Recall.ofTruth(scores.itc(), null, truth, Recall.STANDARD_KS);
        Recall reranked = itc;
        Recall trueReranked = trueItc;
        SplitRetrieval.Paired rerankTest = null;
        if (rerankK > 0) {
            // each direction re-ranks its own top-k; outside them ITC's order stands. Only the re-ranked
            // queries count, and McNemar compares ITC and ITM on those same queries
            Ranks reranks = queries(new Ranks(
                    Ranks.imageToText(scores.imageToTextReranked(), scores.itc(), owners),
                    Ranks.textToImage(scores.textToImageReranked(), scores.itc(), owners)), imageQueries, textQueries);
            Ranks itcOnQueries = queries(itcRanks, imageQueries, textQueries);
            reranked = Recall.of(reranks, Recall.STANDARD_KS);
            rerankTest = new SplitRetrieval.Paired(
                    McNemar.of(itcOnQueries.imageToText(), reranks.imageToText(), 1),
                    McNemar.of(itcOnQueries.textToImage(), reranks.textToImage(), 1));
            trueReranked = Recall.of(queries(new Ranks(
                    Ranks.imageToText(scores.imageToTextReranked(), scores.itc(), truth),
                    Ranks.textToImage(scores.textToImageReranked(), scores.itc(), truth)), imageQueries, textQueries),
                    Recall.STANDARD_KS);
        }
        Recall chance = Recall.chance(owners, set.images().size(), Recall.STANDARD_KS);
        SplitRetrieval.Truth truthAware = new SplitRetrieval.Truth(trueItc, trueReranked,
                Recall.chance(truth, Recall.STANDARD_KS), Recall.ceiling(owners, truth, Recall.STANDARD_KS),
                sharedCaptions(truth));
        List<SplitRetrieval.Example> shown = new ArrayList<>();
        float[][] ranking = rerankK > 0 ? scores.imageToTextReranked() : scores.itc();
        for (int i = 0; i < Math.min(examples, set.images().size()); i++) {
            int[] top = topTexts(ranking[i], scores.itc()[i], Math.min(EXAMPLE_CAPTIONS, owners.length));
            List<String> captions = new ArrayList<>();
            List<Boolean> correct = new ArrayList<>();
            List<Boolean> own = new ArrayList<>();
            for (int t : top) {
                captions.add(set.captions().get(t).text());
                correct.add(truth[i][t]);
                own.add(owners[t] == i);
            }
            shown.add(new SplitRetrieval.Example(i, captions, correct, own));
        }
        progress.accept(rankingUnits(set.images().size(), owners.length));
        return new SplitRetrieval(split, set.images().size(), owners.length, itc, reranked, chance, rerankK,
                rerankTest, shown, truthAware);
    }

    /** The scorer of a split: ITM re-ranks the first {@code rerankImages} images (0 = all) and their captions. */
    private RetrievalScorer scorer(EvaluationSet set, int rerankK, int rerankImages) {
        int imageQueries = imageQueries(set, rerankImages);
        return new RetrievalScorer(rerankK, batchSize, imageQueries, textQueries(set, imageQueries), itmMask);
    }

    private static int imageQueries(EvaluationSet set, int rerankImages) {
        return rerankImages == 0 ? set.images().size() : Math.min(rerankImages, set.images().size());
    }

    /** How many captions the first {@code imageQueries} images own: the text queries ITM re-ranks (they come first). */
    private static int textQueries(EvaluationSet set, int imageQueries) {
        return (int) java.util.Arrays.stream(set.captionOwners()).filter(o -> o < imageQueries).count();
    }

    /** The ranks of the first {@code images} image queries and the first {@code texts} text queries. */
    static Ranks queries(Ranks ranks, int images, int texts) {
        return new Ranks(java.util.Arrays.copyOf(ranks.imageToText(), images),
                java.util.Arrays.copyOf(ranks.textToImage(), texts));
    }

    /**
     * {@code [image][caption]}: the caption is true of the image's scene ({@link CaptionTruth}), or was
     * written for it (a caption outside the grammar, an image without a scene, still counts for its own).
     */
    static boolean[][] truth(EvaluationSet set, int[] owners) {
        boolean[][] truth = CaptionTruth.matrix(set.images().stream().map(Sample::scene).toList(), set.captionTexts());
        for (int t = 0; t < owners.length; t++) {
            truth[owners[t]][t] = true;
        }
        return truth;
    }

    /** The fraction of captions true of more than one image. */
    static double sharedCaptions(boolean[][] truth) {
        int texts = truth.length == 0 ? 0 : truth[0].length;
        int shared = 0;
        for (int t = 0; t < texts; t++) {
            int images = 0;
            for (boolean[] row : truth) {
                images += row[t] ? 1 : 0;
            }
            shared += images > 1 ? 1 : 0;
        }
        return texts == 0 ? 0 : shared / (double) texts;
    }

    /** The n best texts of a row: by score, then by ITC. */
    private static int[] topTexts(float[] score, float[] itc, int n) {
        Integer[] idx = new Integer[score.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> score[a] != score[b] ? Float.compare(score[b], score[a])
                : Float.compare(itc[b], itc[a]));
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = idx[i];
        }
        return out;
    }
}
