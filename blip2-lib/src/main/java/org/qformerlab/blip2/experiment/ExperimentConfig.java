package org.qformerlab.blip2.experiment;

import static org.qformerlab.blip2.config.ConfigException.require;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.config.ConfigPaths;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.config.ItcMask;
import org.qformerlab.blip2.config.ItmNegatives;
import org.qformerlab.blip2.config.ObjectiveConfig;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.data.ShapesWorldConfig;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.train.TrainConfig;

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
 * The quickstart must finish in about ten minutes on two CPU cores, data and evaluation included,
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
 *   <li>Learning rate 3e-4 (peak) with 50 warm-up steps and cosine decay to 10% over the 800
 *       steps: of 3e-4, 5e-4 and 1e-3 on this schedule, 3e-4 had the best validation recall@1
 *       after 120 steps (0.087 / 0.072 against 0.053 / 0.052 and 0.027 / 0.037).
 *   <li>Temperature clamped to [0.001, 0.5] ({@code objective.clampTemperature = true}, as BLIP-1):
 *       on a small world the unclamped learnable temperature can be pushed through 0, which flips
 *       the sign of every similarity and wrecks ITC; the clamp costs nothing when it is not hit.
 *   <li>The world: 3000 training images (4 captions each), 300 test and 300 compositional images
 *       for evaluation, 150 for validation during training; 64x64 pixels.
 *   <li>Pixel patches of 16x16 (16 patches per image, width 3*16*16 + 16 = 784) rather than 8x8
 *       (64 patches): at initialisation the queries attend almost uniformly, and a patch that holds
 *       a quarter of an object stands out from the black background far more than one that holds a
 *       sixteenth. Measured: validation recall@1 after 100 steps was 2-3x higher with 16x16.
 * </ul>
 *
 * Measured (one PyTorch thread per run, two runs sharing the two cores), the full 800 steps: test
 * recall@1 (ITC) image->text 0.167 and text->image 0.100 (50x and 30x chance), compositional 0.190
 * and 0.123; ITC fell from 3.47 to 1.78, ITG from 3.94 to 1.74. Training with one PyTorch thread
 * is bit-reproducible, so these numbers come back exactly that way (with two threads libtorch may
 * round differently from run to run, 1e-7 apart after the first update). With the
 * default two threads on a quiet two-core machine stage 1 took 296 s and gave test recall@1 0.163 /
 * 0.102 (ITC), compositional 0.193 / 0.117 (the whole quickstart, with both 2400-step stage-2
 * runs, takes about 11 minutes). Another two-thread run of stage 1 gave 0.190 / 0.104
 * and 0.203 / 0.117: over 800 steps those 1e-7 differences grow into a different run, about as far
 * apart as two seeds.
 *
 * <p><b>ITM does not leave its prior within this budget.</b> (Every stage-1 run measures why: its
 * {@code results.json} has {@code itm_attention} ({@link org.qformerlab.blip2.objectives.ItmAttention})
 * and its report reads it.) Its loss stays at H(1/3) = 0.636 (the
 * entropy of one positive in three pairs), so the ITM logits are noise and re-ranking moves
 * recall@1 by -0.017 to +0.008. What was ruled out, 400-800 steps each: false hard negatives
 * (partial captions such as "three shapes" fit many images) are not the cause, since
 * {@code objective.itmNegatives = RANDOM} stays at 0.636 too; nor is its weight ({@code itmWeight = 3},
 * hard or random negatives: 0.636 after 500 steps; {@code itmWeight = 10}: 0.636 after 500 steps).
 * ITM alone ({@code itcWeight = itgWeight = 0}) does learn, but only after a plateau of about 350
 * steps (0.636 -> 0.56). What holds it at the prior is ITC: over 400 steps with random negatives,
 * ITM beside ITG alone left the prior at step 275 (0.587 at step 375), while ITM beside ITC alone
 * stayed at 0.635. What the ITM pass's self-attention does (measured on one fixed batch every 50
 * steps, 400-step runs): with ITC in the objective it stays uniform. The largest attention weight
 * of any query is 0.05 (1/27, uniform over 16 queries and about 11 words) and the queries give the
 * text 0.365 of their attention (uniform: 0.379), from step 0 to step 400, for ITC + ITM, for all
 * three losses (hard or random negatives), and still with {@code itcWeight = 0.1} or
 * {@code itgWeight = 5} (largest weight 0.06-0.08 by step 350). So the queries read the text only as an
 * average of its words, and no query can look up the word that would contradict its part of the
 * image; the match logits of true and of shuffled pairs stay within 0.001 of each other. With ITG +
 * ITM alone the attention does form: the largest weight grows to 0.11-0.15 and the text's share to
 * 0.43-0.49 by step 350, and in the same steps the match logits separate (true pairs -0.52,
 * shuffled -0.98) and ITM leaves the prior. The self-attention weights start at BERT's normal(0,
 * 0.02), where {@code q.k} is near 0 for every pair, and only a loss that needs one token to find
 * another grows them; ITC is served well enough by uniform attention (the [CLS] state as a bag of
 * words), and beside it ITG's pull is not enough either. A text-only pretraining of the Q-Former's
 * text side (causal LM or BERT's masked LM on the training captions, 1000 steps, its feed-forward
 * copied to the queries' as LAVIS does from BERT) makes the attention non-uniform from the start
 * (causal LM: largest weight 0.10) but learns text-to-text attention: ITM still stayed at 0.636
 * through 800 steps. Nor does a larger start for the self-attention query and key weights (4x and
 * 8x BERT's 0.02: the attention is non-uniform from step 0, largest weight 0.15 and 0.57, but its
 * sharpness stays where it started and ITM at 0.636 through step 400). Nor do more heads or more
 * cross-attention ({@code qformer.numHeads = 8}, or {@code qformer.crossAttentionFreq = 1}: ITM
 * 0.636 and 0.637 at step 500, largest attention weight 0.05-0.057 against 0.041 uniform, true
 * pairs ahead of mismatched ones by 0.0007 and 0.0001). Once formed, the attention
 * survives ITC: ITG + ITM alone with random negatives for 300 steps (ITM 0.556 at step 300), then
 * all three losses with hard negatives, keeps ITM off its prior (0.61-0.63 to step 800), but that
 * matcher is still too weak to help and ITC had fewer steps: test recall@1 0.137 / 0.103 (ITC),
 * 0.120 / 0.084 after re-ranking, against the preset's 0.163-0.190 / 0.102-0.104 at the same two
 * threads. What ITC does to ITM is take its share of the shared weights' steps: AdamW divides each
 * weight's step by the size of its whole gradient, so a loss weight sets that loss's share, and
 * ITM's share must be about 100 times ITC's before the attention forms within 800 steps. Study 08
 * ({@code ablations/studies/08-itm-gradient-share.yaml}, three seeds, its report in
 * {@code ablations/reports/}): with {@code itcWeight = 0.1, itmWeight = 10} ITM ends at 0.558 ±
 * 0.076 (0.47-0.61), the queries' largest attention weight reaches 0.07-0.34 and true pairs
 * out-score mismatched ones by 0.6-2.0, and re-ranking then beats its own ITC (test image->text
 * recall@1 0.076 ± 0.021 against 0.058 ± 0.030), but that ITC has collapsed to a third of the
 * preset's (0.189 ± 0.017, re-ranked 0.172 ± 0.025); at {@code 0.3, 3} ITM stays at 0.635. A run
 * outside the study (the default seed, {@code 0.1, 10}) ended at 0.567 with the largest weight
 * 0.15-0.28, a gap of 1.45 and ITC at 0.113 / 0.101, re-ranked 0.110 / 0.093. At 10 times
 * ({@code 0.3, 3}) ITM only starts to move (0.623 at step 800, gap 0.20) and re-ranking loses
 * (0.133 / 0.098 against ITC's 0.170 / 0.104); at 30 times with ITC at full weight
 * ({@code itmWeight = 30}) ITM stays at 0.633 (0.183 / 0.101 against 0.197 / 0.108). Time does it too,
 * slowly: with the preset's weights for 2400 steps (three times the budget) ITM's loss falls from
 * 0.639 (mean of the first 200 steps) to 0.624 (the last 200), the attention starts to form (largest
 * weight 0.08-0.19, gap 0.23), and ITC reaches test recall@1 0.243 / 0.143, but re-ranking still
 * loses (0.217 / 0.128). In every run where ITM had only begun to learn, re-ranking lost to ITC
 * alone: LAVIS adds the match logit to the cosine similarity, and a matcher that has just begun to
 * learn moves ITC's top 10 around by a weaker judgement than ITC's own.
 * BLIP-2 starts from BERT-base and trains for 250k steps. The pretrained ViT does not help here
 * either: with {@code encoder.type = VIT} validation recall@1 after 200 steps was 0.02 / 0.04
 * against 0.09 / 0.10 on pixel patches, which is why the preset keeps pixel patches. Why, measured
 * on its cached features: the shapes world is mostly plain background, so a ViT token is mostly
 * its position embedding; of the variance of the block -2 features only 24% (8x8 patches) or 1%
 * (16x16 patches, {@code encoder.vit.patchSize = 16}) changes from image to image, the rest is the
 * same at each position for every image. Taking each position's mean over the images out of the
 * 16x16 features (a one-off experiment) did not close the gap: validation recall@1 after 300
 * steps 0.047 / 0.023 against 0.193 / 0.143 on pixel patches (at 300 steps the uncentred 16x16
 * ViT: 0.020 / 0.020). Its MAE pretraining (250 steps) plateaus at a normalised reconstruction
 * loss of about 0.3 by step 100.
 *
 * @param data the shapes world
 * @param encoder the frozen image encoder
 * @param qformer the Q-Former
 * @param objective the stage-1 objective
 * @param train the training run
 * @param eval the retrieval evaluation
 * @param stage2 stage 2 (run by {@link Stage2Experiment}; stage 1 ignores it)
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
        require(train.batchSize() >= 2 || (objective.itcWeight() == 0 && objective.itmWeight() == 0),
                c + "train.batchSize=" + train.batchSize() + ": ITC and ITM take their negatives from the batch,"
                        + " so it needs at least 2 pairs");
    }

    /** The quickstart preset: about ten minutes on two CPU cores (see the class comment). */
    public static ExperimentConfig embedded() {
        ShapesWorldConfig data = ShapesWorldConfig.defaults().withCounts(3000, 150, 300, 300);
        QFormerConfig qformer = new QFormerConfig(
                128, 4, 4, 512, 16, 2, 784, 1000, 32, 0.0, 0.0, 1e-12, 128, 0.07, 0, 1, 2);
        ObjectiveConfig objective = new ObjectiveConfig(1, 1, 1, 0.1, 0.1, true, ItcMask.UNIMODAL, ItmNegatives.HARD);
        TrainConfig train = new TrainConfig(
                800, 32, 3e-4, 50, 0.1, 0.05, 0.9, 0.999, 1e-8, 1.0, 0, 200, 200, 25, "auto");
        return new ExperimentConfig(data, ImageEncoderConfig.patchPixels(16), qformer, objective, train,
                EvalConfig.defaults(), Stage2Config.embedded());
    }

    /** A world and model small enough for a test that runs the whole pipeline in seconds. */
    public static ExperimentConfig tiny() {
        ShapesWorldConfig data = ShapesWorldConfig.defaults().withCounts(48, 12, 12, 12).withImageSize(32);
        QFormerConfig qformer = new QFormerConfig(
                32, 2, 4, 64, 4, 2, 208, 1000, 24, 0.0, 0.0, 1e-12, 16, 0.07, 0, 1, 2);
        ObjectiveConfig objective = new ObjectiveConfig(1, 1, 1, 0.1, 0.1, true, ItcMask.UNIMODAL, ItmNegatives.HARD);
        TrainConfig train = new TrainConfig(
                6, 8, 1e-3, 2, 0.1, 0.05, 0.9, 0.999, 1e-8, 1.0, 0, 3, 3, 1, "cpu");
        EvalConfig eval = new EvalConfig(4, 32, List.of(Split.TEST, Split.COMPOSITIONAL), true, 4);
        return new ExperimentConfig(data, ImageEncoderConfig.patchPixels(8), qformer, objective, train, eval,
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
}
