package org.qformerlab.blip2.experiment.config;

import static org.qformerlab.blip2.config.ConfigException.require;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.config.ConfigPaths;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.config.ObjectiveConfig;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.data.ShapesWorldConfig;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.train.TrainConfig;
import org.qformerlab.blip2.vision.VisionConfig;

/**
 * Everything that determines a stage-1 experiment, one section per stage of the data flow. It is
 * plain data: read from JSON or YAML laid over a preset ({@link #read}), validated on
 * construction, and addressable field by field with dotted paths ({@code qformer.numQueries},
 * {@code objective.itgWeight}, {@code train.steps}; see {@link #with(String, Object)} and
 * {@link ConfigPaths}), which is how ablation studies and notebooks vary it. Each field is
 * documented once, in its section's record:
 *
 * <ul>
 *   <li>{@code data}: the shapes world ({@link ShapesWorldConfig});
 *   <li>{@code encoder}: the frozen image encoder ({@link ImageEncoderConfig});
 *   <li>{@code qformer}: the Q-Former's shape ({@link QFormerConfig}). Two of its fields are facts
 *       about the other stages and are filled in by the experiment, whatever a file says:
 *       {@code visionWidth} (the encoder's feature width) and {@code vocabSize} (the tokenizer's).
 *       The run folder's {@code config.json} records the values used;
 *   <li>{@code objective}: the stage-1 losses and their weights ({@link ObjectiveConfig});
 *   <li>{@code train}: optimiser, schedule, seed, bookkeeping ({@link TrainConfig});
 *   <li>{@code eval}: retrieval evaluation ({@link EvalConfig});
 *   <li>{@code stage2}: stage 2, its bridge, the frozen language model and its evaluation
 *       ({@link Stage2Config}).
 * </ul>
 *
 * <h2>The embedded preset ({@link #embedded()}), and why</h2>
 *
 * Stage 1 of the quickstart must finish in about ten minutes on two CPU cores, data and evaluation included,
 * and still show real alignment (recall@1 far above chance, every loss falling). Choices:
 *
 * <ul>
 *   <li>Q-Former hidden 128, 4 layers, 4 heads, feed-forward 512, cross-attention every other
 *       layer, 16 queries: the paper's architecture at about 1/40 of the width-squared cost.
 *       A 6-layer hidden-256 Q-Former takes 1-2 s per step on this kind of machine; this one is
 *       several times faster, which buys the steps that alignment needs. 16 queries are plenty for
 *       scenes of at most three objects. Dropout 0: the run is far too short to overfit.
 *   <li>Batch 32: ITC's negatives are the other pairs of the batch, so a bigger batch is a harder,
 *       more informative contrastive task; 32 still keeps a step well under a second.
 *   <li>Learning rate 3e-4 (peak) with 50 warm-up steps and cosine decay to 10% over the
 *       steps: of 3e-4, 5e-4 and 1e-3 on this schedule, 3e-4 had the best validation recall@1
 *       after 120 steps (0.087 / 0.072 against 0.053 / 0.052 and 0.027 / 0.037).
 *   <li>One pair of AdamW moments per loss ({@code train.perLossMoments = true}) instead of BLIP-2's
 *       one pair for the sum: with one pair, ITC's gradient on the shared Q-Former grows a hundred
 *       times larger than ITM's, shrinks ITM's steps a hundredfold and holds it at its prior
 *       H(1/3) = 0.636 for the whole budget, and re-ranking with it lowers recall@1. Per loss, ITM
 *       learns (0.54 at the end), ITG ends 0.14 lower, and ITM re-ranking raises image->text
 *       recall@1 by 0.03 and holds text->image; ITC alone gives up 0.03 of image->text recall@1, and
 *       a training step takes about 6% longer (study 09 over three seeds, {@code docs/findings.md}).
 *   <li>{@code qformer.initializerRange = 0.05}: BERT's 0.02 is for width 768, and 0.02 * sqrt(768/128)
 *       = 0.049; it lowered the ITC and ITG losses in every pair of runs compared. The heads start as
 *       LAVIS's plain {@code nn.Linear} ({@link org.qformerlab.blip2.nn.Dense#linearDefault}).
 *   <li>Temperature clamped to [0.001, 0.5] ({@code objective.clampTemperature = true}, as BLIP-1):
 *       on a small world the unclamped learnable temperature can be pushed through 0, which flips
 *       the sign of every similarity and wrecks ITC; the clamp costs nothing when it is not hit.
 *   <li>The world: 3000 training images (4 captions each), 2,800 test and 2,800 compositional
 *       images for evaluation ({@link #EVAL_IMAGES}: headline standard errors below 0.01; the numbers
 *       below were measured on 300 of each), 150 for validation during training; 64x64 pixels.
 *   <li>The frozen image encoder is the shipped supervised ViT ({@code encoder.type = SUPERVISED_VIT},
 *       {@link VisionConfig#supervised()}: 65 positions of width 128), pretrained once on images
 *       alone, on a pool disjoint from this world's, and committed as a 2.5 MB file
 *       ({@link org.qformerlab.blip2.vision.ShippedEncoder}; {@code ./qformerlab pretrain vision} remakes
 *       it). A linear probe of its features on the default world's test split reads each object's
 *       colour 0.998, size 0.975 and shape 0.993, the occupied cells 0.973 and the count 0.977, where
 *       16x16 pixel patches give 0.544, 0.746, 0.572, 0.397 and 0.507.
 *   <li>Pixel patches stay an option ({@code encoder.type = PATCH_PIXELS}, {@code encoder.patchSize = 16}:
 *       16 patches per image, width 3*16*16 + 16 = 784) rather than 8x8 (64 patches): at
 *       initialisation the queries attend almost uniformly, and a patch that holds a quarter of an
 *       object stands out from the black background far more than one that holds a sixteenth.
 *       Measured: validation recall@1 after 100 steps was 2-3x higher with 16x16. The numbers below
 *       were measured with them, before the supervised ViT became the preset's encoder.
 * </ul>
 *
 * Measured (one PyTorch thread per run, two runs sharing the two cores), the full 800 steps: test
 * recall@1 image->text 0.183 and text->image 0.122 by ITC (55x and 37x chance), 0.233 and 0.116 after
 * ITM re-ranks the top 10; compositional 0.170 / 0.118 by ITC, 0.220 / 0.108 re-ranked; over the last
 * 100 steps ITC 1.76, ITM 0.54, ITG 1.45 (from 3.5, 0.64 and 3.9). Training with one PyTorch thread
 * is bit-reproducible, so these numbers come back exactly that way (with two threads libtorch may
 * round differently from run to run, 1e-7 apart after the first update, and over 800 steps those
 * differences grow into a different run, about as far apart as two seeds). With the default two
 * threads on a quiet two-core machine stage 1 took 392 s and gave test recall@1 0.187 / 0.123 by ITC
 * and 0.220 / 0.139 re-ranked, compositional 0.157 / 0.123 and 0.213 / 0.116 (the whole quickstart,
 * with both 2400-step stage-2 runs, took 14 min 20 s); another two-thread run gave 0.197 / 0.126 and
 * 0.253 / 0.138 on the test split.
 *
 * <p><b>What this budget does not show.</b> The masked-autoencoder ViT ({@code encoder.type = VIT}) is
 * not the preset's encoder because its features barely vary from image to image on this mostly blank
 * world (validation recall@1 after 200 steps 0.02 / 0.04 against 0.09 / 0.10 on pixel patches). The runs behind this and the choices above,
 * and what was ruled out, are in {@code docs/findings.md}.
 *
 * @param data the shapes world
 * @param encoder the frozen image encoder
 * @param qformer the Q-Former
 * @param objective the stage-1 objective
 * @param train the training run
 * @param eval the retrieval evaluation
 * @param stage2 stage 2 (run by {@link org.qformerlab.blip2.experiment.Stage2Experiment}; stage 1 ignores it)
 */
public record ExperimentConfig(
        ShapesWorldConfig data,
        ImageEncoderConfig encoder,
        QFormerConfig qformer,
        ObjectiveConfig objective,
        TrainConfig train,
        EvalConfig eval,
        Stage2Config stage2) {

    public ExperimentConfig {
        String c = "ExperimentConfig.";
        require(data != null, c + "data is missing");
        require(encoder != null, c + "encoder is missing");
        require(qformer != null, c + "qformer is missing");
        require(objective != null, c + "objective is missing");
        require(train != null, c + "train is missing");
        require(eval != null, c + "eval is missing");
        require(stage2 != null, c + "stage2 is missing");
        require(qformer.numQueries() + 8 <= stage2.language().maxPositions(),
                c + "qformer.numQueries=" + qformer.numQueries() + " leaves too little room for text in the language model's"
                        + " stage2.language.maxPositions=" + stage2.language().maxPositions()
                        + " (soft prompt + text must fit); raise maxPositions or use fewer queries");
        int prompt = stage2.bridge().promptLength(qformer, 0); // the linear bridge's P is checked when it is known
        require(prompt + 8 <= stage2.language().maxPositions(),
                c + "stage2.bridge.numLatents=" + prompt + " leaves too little room for text in the language model's"
                        + " stage2.language.maxPositions=" + stage2.language().maxPositions()
                        + " (soft prompt + text must fit); raise maxPositions or use fewer latents");
        stage2.bridge().check(qformer);
        require(encoder.requiredImageSize() < 0 || encoder.requiredImageSize() == data.imageSize(),
                c + "encoder.vit.imageSize=" + encoder.requiredImageSize() + " but data.imageSize=" + data.imageSize()
                        + ": the ViT reads images of one size; set both to the same value");
        require(encoder.type() != ImageEncoderType.PATCH_PIXELS || data.imageSize() % encoder.patchSize() == 0,
                c + "encoder.patchSize=" + encoder.patchSize() + " must divide data.imageSize=" + data.imageSize()
                        + " (the image is cut into whole patches); pick a divisor such as 8");
        require(data.trainCount() > 0, c + "data.trainCount must be at least 1: there is nothing to train on");
        for (Split split : eval.splits()) {
            require(data.count(split) > 0, c + "eval.splits contains " + split + " but data." + split.name().toLowerCase()
                    + "Count is 0; give the split images or remove it from eval.splits");
        }
        require(train.evalEvery() == 0 || data.valCount() > 0,
                c + "train.evalEvery=" + train.evalEvery() + " validates during training but data.valCount is 0;"
                        + " set data.valCount > 0 or train.evalEvery = 0");
        objective.checkMasks(qformer.numQueries(), qformer.maxTextLength());
        require(train.batchSize() >= 2 || (objective.itcWeight() == 0 && objective.itmWeight() == 0),
                c + "train.batchSize=" + train.batchSize() + ": ITC and ITM take their negatives from the batch,"
                        + " so it needs at least 2 pairs");
    }

    /**
     * Test and compositional images of the embedded preset: a recall or an accuracy over n queries has
     * a sampling standard error of at most {@code 0.5 / sqrt(n)}, so 2,800 images (11,200 captions, and
     * at least 2,800 binding foils of each type) keep every headline number's at or below 0.0095.
     */
    public static final int EVAL_IMAGES = 2800;

    /** BLIP-2's objective, with the temperature clamped (the list above says why). */
    private static final ObjectiveConfig PRESET_OBJECTIVE = ObjectiveConfig.blip2().withClampTemperature(true);

    /**
     * The quickstart preset (see the class comment): 600 stage-1 steps, about 4 minutes of training on
     * two CPU cores. With the supervised ViT the validation recall@1 plateaus by then: measured in one
     * quickstart (800 steps), image->text 0.473 / 0.627 / 0.693 / 0.673 and text->image 0.330 / 0.442 /
     * 0.495 / 0.503 at steps 200 / 400 / 600 / 800, so 600 steps keep the quickstart within 12 minutes.
     */
    public static ExperimentConfig embedded() {
        ShapesWorldConfig data = ShapesWorldConfig.defaults().withCounts(3000, 150, EVAL_IMAGES, EVAL_IMAGES);
        QFormerConfig qformer = new QFormerConfig(
                128, 4, 4, 512, 16, 2, VisionConfig.supervised().width(), 1000, 32, 0.0, 0.0, 1e-12, 128, 0.07, 0, 1, 2, 0.05);
        TrainConfig train = new TrainConfig(
                600, 32, 3e-4, 50, 0.1, 0.05, 0.9, 0.999, 1e-8, 1.0, 0, 200, 200, 25, "auto", true);
        return new ExperimentConfig(data, ImageEncoderConfig.supervisedVit(), qformer, PRESET_OBJECTIVE, train,
                EvalConfig.defaults(), Stage2Config.embedded());
    }

    /** A world and model small enough for a test that runs the whole pipeline in seconds. */
    public static ExperimentConfig tiny() {
        ShapesWorldConfig data = ShapesWorldConfig.defaults().withCounts(48, 12, 12, 12).withImageSize(32);
        QFormerConfig qformer = new QFormerConfig(
                32, 2, 4, 64, 4, 2, 208, 1000, 24, 0.0, 0.0, 1e-12, 16, 0.07, 0, 1, 2);
        TrainConfig train = new TrainConfig(
                6, 8, 1e-3, 2, 0.1, 0.05, 0.9, 0.999, 1e-8, 1.0, 0, 3, 3, 1, "cpu", true);
        EvalConfig eval = new EvalConfig(4, 32, List.of(Split.TEST, Split.COMPOSITIONAL), true, 4, 0, true);
        return new ExperimentConfig(data, ImageEncoderConfig.patchPixels(8), qformer, PRESET_OBJECTIVE, train, eval,
                Stage2Config.tiny());
    }

    /** Reads a JSON or YAML file over {@code defaults}: the file names only what it changes. */
    public static ExperimentConfig read(Path file, ExperimentConfig defaults) {
        return Configs.read(file, ExperimentConfig.class, defaults);
    }

    /** Parses JSON or YAML text over {@code defaults}; {@code source} names it in error messages. */
    public static ExperimentConfig parse(String text, ExperimentConfig defaults, String source) {
        return Configs.parse(text, ExperimentConfig.class, defaults, source);
    }

    /** This config with one field changed, by dotted path: {@code with("qformer.numQueries", 8)}. */
    public ExperimentConfig with(String path, Object value) {
        return ConfigPaths.with(this, path, value);
    }

    /** This config with several fields changed, by dotted path, in order. */
    public ExperimentConfig with(Map<String, ?> overrides) {
        return ConfigPaths.with(this, overrides);
    }

    /** The config as pretty JSON (what {@code config.json} holds). */
    public String toJson() {
        return Configs.toJson(this);
    }

    /** This config with the Q-Former's facts about the encoder and tokenizer filled in. */
    public ExperimentConfig resolved(int visionWidth, int vocabSize) {
        QFormerConfig q = qformer.withVisionWidth(visionWidth).withVocab(vocabSize, qformer.maxTextLength());
        return new ExperimentConfig(data, encoder, q, objective, train, eval, stage2);
    }

    /** This config with another stage-2 section. */
    public ExperimentConfig withStage2(Stage2Config s) {
        return new ExperimentConfig(data, encoder, qformer, objective, train, eval, s);
    }

    /** This config with {@code data} replaced. */
    public ExperimentConfig withData(ShapesWorldConfig data) {
        return toBuilder().data(data).build();
    }

    /** This config with {@code encoder} replaced. */
    public ExperimentConfig withEncoder(ImageEncoderConfig encoder) {
        return toBuilder().encoder(encoder).build();
    }

    /** This config with {@code qformer} replaced. */
    public ExperimentConfig withQformer(QFormerConfig qformer) {
        return toBuilder().qformer(qformer).build();
    }

    /** This config with {@code objective} replaced. */
    public ExperimentConfig withObjective(ObjectiveConfig objective) {
        return toBuilder().objective(objective).build();
    }

    /** This config with {@code train} replaced. */
    public ExperimentConfig withTrain(TrainConfig train) {
        return toBuilder().train(train).build();
    }

    /** This config with {@code eval} replaced. */
    public ExperimentConfig withEval(EvalConfig eval) {
        return toBuilder().eval(eval).build();
    }

    /** A builder starting from this config: name the fields that change, then {@link Builder#build}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Named construction of a {@link ExperimentConfig}: starts from a config, every field has a setter, and the
     * record validates once, in {@link #build} (so fields that must agree can change together).
     */
    public static final class Builder {
        private ShapesWorldConfig data;
        private ImageEncoderConfig encoder;
        private QFormerConfig qformer;
        private ObjectiveConfig objective;
        private TrainConfig train;
        private EvalConfig eval;
        private Stage2Config stage2;

        private Builder(ExperimentConfig c) {
            this.data = c.data();
            this.encoder = c.encoder();
            this.qformer = c.qformer();
            this.objective = c.objective();
            this.train = c.train();
            this.eval = c.eval();
            this.stage2 = c.stage2();
        }

        public Builder data(ShapesWorldConfig data) {
            this.data = data;
            return this;
        }

        public Builder encoder(ImageEncoderConfig encoder) {
            this.encoder = encoder;
            return this;
        }

        public Builder qformer(QFormerConfig qformer) {
            this.qformer = qformer;
            return this;
        }

        public Builder objective(ObjectiveConfig objective) {
            this.objective = objective;
            return this;
        }

        public Builder train(TrainConfig train) {
            this.train = train;
            return this;
        }

        public Builder eval(EvalConfig eval) {
            this.eval = eval;
            return this;
        }

        public Builder stage2(Stage2Config stage2) {
            this.stage2 = stage2;
            return this;
        }

        public ExperimentConfig build() {
            return new ExperimentConfig(data, encoder, qformer, objective, train, eval, stage2);
        }
    }
}
