package org.qformerlab.blip2.experiment.config;

import static org.qformerlab.blip2.config.ConfigException.require;

import java.util.List;
import org.qformerlab.blip2.data.Split;

/**
 * How retrieval is evaluated (LAVIS's {@code compute_sim_matrix}, see
 * {@link org.qformerlab.blip2.eval.RetrievalScorer}): ITC ranks the whole gallery, then ITM
 * re-scores each query's best {@code rerankK} candidates.
 *
 * @param rerankK candidates per query re-scored by ITM (LAVIS uses 128 on COCO's 5k gallery;
 *     0 = report ITC only). Recall@k for k above it still counts: the rest keep ITC's order
 * @param batchSize images, texts or pairs per forward pass during evaluation (memory, not results)
 * @param splits the splits of the final evaluation, e.g. {@code [TEST, COMPOSITIONAL]}; TRAIN is
 *     not allowed (its scenes repeat, so "the right caption" is ambiguous)
 * @param rerankDuringTraining whether the periodic validation during training also re-ranks with
 *     ITM (slower) or reports ITC only
 * @param examples how many test images the report shows with their top retrieved captions (0 = none)
 * @param rerankImages how many images of a split (its first; the split is in random order) are
 *     re-ranked as queries, image->text, and whose captions are re-ranked as queries, text->image;
 *     the gallery stays the whole split. ITC ranks every query of the split, so ITC's recall (the
 *     headline) has the whole split's standard error, and re-ranking costs
 *     {@code rerankK x (rerankImages + its captions)} ITM passes instead of growing with the square of the
 *     split. 0 = every query
 * @param binding whether the final evaluation also runs the binding benchmark on the first of
 *     {@code splits} (foils from the scene graph scored by ITC, ITM and ITG; {@link org.qformerlab.blip2.experiment.evaluation.BindingEvaluation})
 */
public record EvalConfig(int rerankK, int batchSize, List<Split> splits, boolean rerankDuringTraining, int examples,
        int rerankImages, boolean binding) {

    public EvalConfig {
        String c = "EvalConfig.";
        require(rerankK >= 0, c + "rerankK=" + rerankK + " must be >= 0 (0 = ITC only)");
        require(batchSize >= 1, c + "batchSize=" + batchSize + " must be at least 1");
        require(splits != null && !splits.isEmpty(),
                c + "splits must name at least one of VAL, TEST, COMPOSITIONAL, e.g. [TEST, COMPOSITIONAL]");
        splits = List.copyOf(splits);
        require(!splits.contains(Split.TRAIN),
                c + "splits=" + splits + " must not contain TRAIN: train scenes repeat, so a retrieval hit is"
                        + " ambiguous there; use VAL, TEST or COMPOSITIONAL");
        require(splits.stream().distinct().count() == splits.size(), c + "splits=" + splits + " names a split twice");
        require(examples >= 0 && examples <= 64, c + "examples=" + examples + " must be in [0, 64]");
        require(rerankImages >= 0, c + "rerankImages=" + rerankImages + " must be >= 0 (0 = re-rank every query)");
    }

    /**
     * Test and compositional, ITM re-ranking of the top 10 (about LAVIS's share, 128 of COCO's
     * 5,000, on a 300-image gallery): re-ranking reorders the top 10, so recall@10 is ITC's and
     * recall@1 and @5 show what ITM adds. The first 300 images of a split and their captions are
     * re-ranked as queries (standard error of re-ranked recall@1 at most 0.029 image->text, 0.015
     * text->image: re-ranking is measured beside the headline, ITC's recall over the whole split,
     * whose standard error stays below 0.01); ITC ranks all of them. 300 keeps re-ranking at 15,000
     * ITM passes per split, about the quickstart's minute.
     */
    public static EvalConfig defaults() {
        return new EvalConfig(10, 128, List.of(Split.TEST, Split.COMPOSITIONAL), false, 8, 300, true);
    }

    /** This config with {@code rerankImages} replaced (0 = every query re-ranked). */
    public EvalConfig withRerankImages(int rerankImages) {
        return toBuilder().rerankImages(rerankImages).build();
    }

    /** This config with {@code binding} replaced. */
    public EvalConfig withBinding(boolean binding) {
        return toBuilder().binding(binding).build();
    }

    /** This config with {@code rerankK} replaced. */
    public EvalConfig withRerankK(int rerankK) {
        return toBuilder().rerankK(rerankK).build();
    }

    /** This config with {@code batchSize} replaced. */
    public EvalConfig withBatchSize(int batchSize) {
        return toBuilder().batchSize(batchSize).build();
    }

    /** This config with {@code splits} replaced. */
    public EvalConfig withSplits(List<Split> splits) {
        return toBuilder().splits(splits).build();
    }

    /** This config with {@code rerankDuringTraining} replaced. */
    public EvalConfig withRerankDuringTraining(boolean rerankDuringTraining) {
        return toBuilder().rerankDuringTraining(rerankDuringTraining).build();
    }

    /** This config with {@code examples} replaced. */
    public EvalConfig withExamples(int examples) {
        return toBuilder().examples(examples).build();
    }

    /** A builder starting from this config: name the fields that change, then {@link Builder#build}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Named construction of a {@link EvalConfig}: starts from a config, every field has a setter, and the
     * record validates once, in {@link #build} (so fields that must agree can change together).
     */
    public static final class Builder {
        private int rerankK;
        private int batchSize;
        private List<Split> splits;
        private boolean rerankDuringTraining;
        private int examples;
        private int rerankImages;
        private boolean binding;

        private Builder(EvalConfig c) {
            this.rerankK = c.rerankK();
            this.batchSize = c.batchSize();
            this.splits = c.splits();
            this.rerankDuringTraining = c.rerankDuringTraining();
            this.examples = c.examples();
            this.rerankImages = c.rerankImages();
            this.binding = c.binding();
        }

        public Builder rerankK(int rerankK) {
            this.rerankK = rerankK;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder splits(List<Split> splits) {
            this.splits = splits;
            return this;
        }

        public Builder rerankDuringTraining(boolean rerankDuringTraining) {
            this.rerankDuringTraining = rerankDuringTraining;
            return this;
        }

        public Builder examples(int examples) {
            this.examples = examples;
            return this;
        }

        public Builder rerankImages(int rerankImages) {
            this.rerankImages = rerankImages;
            return this;
        }

        public Builder binding(boolean binding) {
            this.binding = binding;
            return this;
        }

        public EvalConfig build() {
            return new EvalConfig(rerankK, batchSize, splits, rerankDuringTraining, examples, rerankImages, binding);
        }
    }
}
