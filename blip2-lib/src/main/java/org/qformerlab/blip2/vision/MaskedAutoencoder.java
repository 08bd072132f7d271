package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.TruncatedNormalInitializer;
import java.util.ArrayList;
import java.util.List;
import org.qformerlab.blip2.nn.Dense;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.Norm;

/**
 * Masked autoencoder (He et al., "Masked Autoencoders Are Scalable Vision Learners", 2022): the
 * image-only objective that pretrains the embedded default's ViT before BLIP-2 aligns it with text.
 *
 * <ol>
 *   <li>hide most patches of each image ({@link PatchMask}, 75% by default);
 *   <li>the encoder ({@code vision_model}, the {@link VisionTransformer}) reads only the visible
 *       patches (with their position embeddings) and the class token;
 *   <li>a light decoder ({@code decoder_embed}, a learned {@code mask_token} in every hidden slot,
 *       {@code decoder_pos_embed}, {@code decoder_blocks}, {@code decoder_norm}) rebuilds the full
 *       sequence and {@code decoder_pred} predicts the pixels of every patch;
 *   <li>the loss is the mean squared error over the pixels of the hidden patches only.
 * </ol>
 *
 * Why this objective for the shapes world: a hidden patch can only be painted back if the visible
 * tokens carry each object's colour, shape, size and position (a corner of a red triangle says where
 * the rest of it is and what colour it has), which is exactly what captions later talk about. The
 * shapes world is mostly plain background, so raw pixel targets let a model that paints background
 * everywhere reach a low loss; {@link VisionPretrainConfig#normPixLoss()} (MAE's per-patch
 * normalised targets) makes plain patches trivial and puts the loss on the objects' patches, whose
 * normalised values still tell which channels (colours) stand out. Decoder names follow the MAE
 * reference code; its position table is learned here rather than fixed sine-cosine. Only the
 * encoder is kept.
 *
 * <p>Measured honestly ({@link FeatureProbe} in {@link VisionBenchmark}): at the embedded default's
 * budget (four passes over 4000 images) a linear probe reads colours, sizes, positions and counts
 * from these features far above chance, but about as well as from a randomly initialised ViT of the
 * same shape, whose random patch projections already keep colour and place. A longer pretraining is
 * the knob to turn when the encoder should contribute more than that.
 */
public final class MaskedAutoencoder extends Module {

    private final VisionConfig config;
    private final VisionTransformer encoder;
    private final Dense decoderEmbed;
    private final Parameter maskToken;
    private final Parameter decoderPosEmbed;
    private final List<VisionEncoderLayer> decoderBlocks = new ArrayList<>();
    private final Norm decoderNorm;
    private final Dense decoderPred;
    private final int decoderWidth;
    private final boolean normPixLoss;

    public MaskedAutoencoder(VisionConfig c, VisionPretrainConfig p) {
        this.config = c;
        this.decoderWidth = p.decoderWidth();
        this.normPixLoss = p.normPixLoss();
        this.encoder = module("vision_model", new VisionTransformer(c));
        this.decoderEmbed = module("decoder_embed", new Dense(c.width(), p.decoderWidth()));
        this.maskToken = parameter("mask_token", new Shape(1, 1, p.decoderWidth()), new NormalInitializer(0.02f));
        this.decoderPosEmbed = parameter("decoder_pos_embed", new Shape(1, c.positions(), p.decoderWidth()),
                new TruncatedNormalInitializer(0.02f));
        for (int i = 0; i < p.decoderLayers(); i++) {
            decoderBlocks.add(module("decoder_blocks." + i, new VisionEncoderLayer(
                    p.decoderWidth(), p.decoderHeads(), 4 * p.decoderWidth(), c.layerNormEps())));
        }
        this.decoderNorm = module("decoder_norm", new Norm(p.decoderWidth(), c.layerNormEps()));
        this.decoderPred = module("decoder_pred", new Dense(p.decoderWidth(), c.patchValues()));
    }

    public static MaskedAutoencoder create(VisionConfig c, VisionPretrainConfig p, NDManager manager) {
        MaskedAutoencoder model = new MaskedAutoencoder(c, p);
        model.initialize(manager, DataType.FLOAT32);
        return model;
    }

    /** The encoder being pretrained. */
    public VisionTransformer encoder() {
        return encoder;
    }

    /** Mean squared error over the pixels of the masked patches (a scalar in the scope of {@code pixels}). */
    public NDArray loss(NDArray pixels, PatchMask mask) {
        NDArray predicted = reconstruct(pixels, mask);
        NDArray target = Patches.patchify(pixels, config.patchSize());
        if (normPixLoss) {
            NDArray mean = target.mean(new int[] {2}, true);
            NDArray variance = target.sub(mean).square().mean(new int[] {2}, true);
            target = target.sub(mean).div(variance.add(1e-6).sqrt());
        }
        NDArray perPatch = predicted.sub(target).square().mean(new int[] {2}); // [B, P]
        NDArray weights = mask.maskedWeights(pixels.getManager());
        return perPatch.mul(weights).sum().div(weights.sum());
    }

    /** The decoder's pixel prediction for every patch, [B, P, C*p*p] (visible ones included). */
    public NDArray reconstruct(NDArray pixels, PatchMask mask) {
        encoder.checkPixels(pixels);
        NDManager scope = pixels.getManager();
        int b = mask.batch();
        int patches = mask.patches();
        int width = config.width();
        if (pixels.getShape().get(0) != b || patches != config.numPatches()) {
            throw new IllegalArgumentException("mask is for " + b + " images of " + patches + " patches but the batch is "
                    + pixels.getShape() + " with " + config.numPatches() + " patches each");
        }

        // 1. encoder on the visible patches only (positions added before they are picked)
        NDArray tokens = encoder.embeddings().patchTokens(pixels).reshape(b * (long) patches, width);
        NDArray visible = tokens.get(mask.keepIndex(scope)).reshape(b, mask.kept(), width);
        NDArray encoded = encoder.lastHiddenState(encoder.embeddings().withClassToken(visible)); // [B, 1+kept, D]

        // 2. decoder: visible tokens back in place, a mask token in every hidden slot
        NDArray x = decoderEmbed.forward(encoded);
        NDArray cls = x.get(new NDIndex(":, 0:1, :"));
        NDArray shown = x.get(new NDIndex(":, 1:, :")).reshape((long) b * mask.kept(), decoderWidth);
        NDArray hidden = value(maskToken).broadcast(new Shape(1, (long) b * mask.hidden(), decoderWidth));
        hidden.attach(scope);
        hidden = hidden.reshape((long) b * mask.hidden(), decoderWidth);
        NDArray full = shown.concat(hidden, 0).get(mask.restoreIndex(scope)).reshape(b, patches, decoderWidth);
        NDArray h = cls.concat(full, 1).add(value(decoderPosEmbed));
        for (VisionEncoderLayer block : decoderBlocks) {
            h = block.forward(h);
        }
        return decoderPred.forward(decoderNorm.forward(h)).get(new NDIndex(":, 1:, :"));
    }
}
