package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.checkpoint.NameMap;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.Norm;

/**
 * The frozen image encoder of BLIP-2: a Vision Transformer with Hugging Face {@code Blip2VisionModel}'s
 * structure and parameter names (the {@code vision_model.*} part of a {@code Blip2ForConditionalGeneration}
 * checkpoint):
 *
 * <pre>
 *   embeddings.{class_embedding, patch_embedding.{weight,bias}, position_embedding}
 *   encoder.layers.N.{layer_norm1, self_attn.{qkv.weight, q_bias, v_bias, projection}, layer_norm2, mlp.{fc1,fc2}}
 *   post_layernorm.{weight,bias}
 * </pre>
 *
 * Pixels [B, C, H, W] become tokens [B, P+1, D] ({@link VisionEmbeddings}), pass through pre-LN
 * blocks ({@link VisionEncoderLayer}) and, at the very end, {@code post_layernorm}. BLIP-2 reads its
 * image features from the second-to-last block, before any final norm ({@link VisionConfig#featureLayer()}
 * = -2), and gives them to the Q-Former, whose own {@code ln_vision} normalises them. (Hugging Face's
 * converted checkpoints keep only the blocks BLIP-2 uses and store {@code ln_vision} as
 * {@code post_layernorm}; here the encoder keeps its own final norm, which its pretraining uses.)
 *
 * <p>Frozen after pretraining: {@link #freeze()} turns off gradients of every parameter.
 */
public final class VisionTransformer extends Module {

    /** Own files: the internal names, as listed above. */
    public static final NameMap NAMES = new NameMap.RuleNameMap("vision", List.of(), Map.of());

    /** A Hugging Face {@code Blip2*} checkpoint: the same names under {@code vision_model.}. */
    public static final NameMap HUGGING_FACE =
            new NameMap.RuleNameMap("Hugging Face vision_model", List.<String[]>of(new String[] {"^", "vision_model."}), Map.of());

    private final VisionConfig config;
    private final VisionEmbeddings embeddings;
    private final List<VisionEncoderLayer> layers = new ArrayList<>();
    private final Norm postLayernorm;

    public VisionTransformer(VisionConfig c) {
        this.config = c;
        this.embeddings = module("embeddings", new VisionEmbeddings(c));
        for (int i = 0; i < c.layers(); i++) {
            layers.add(module("encoder.layers." + i,
                    new VisionEncoderLayer(c.width(), c.heads(), c.intermediateSize(), c.layerNormEps())));
        }
        this.postLayernorm = module("post_layernorm", new Norm(c.width(), c.layerNormEps()));
    }

    /** Builds and initialises an encoder on the manager's device (weights normal(0, 0.02)). */
    public static VisionTransformer create(VisionConfig c, NDManager manager) {
        VisionTransformer model = new VisionTransformer(c);
        model.initialize(manager, DataType.FLOAT32);
        return model;
    }

    /** Builds an encoder and loads its weights from an own safetensors file ({@link #save}). */
    public static VisionTransformer load(VisionConfig c, Path file, NDManager manager) {
        VisionTransformer model = create(c, manager);
        Weights.load(model, file, NAMES, Weights.Policy.strict());
        return model;
    }

    /** Saves the weights as safetensors under {@link #NAMES}, atomically. */
    public void save(Path file) {
        Weights.save(this, file, NAMES);
    }

    public VisionConfig config() {
        return config;
    }

    public VisionEmbeddings embeddings() {
        return embeddings;
    }

    public List<VisionEncoderLayer> layers() {
        return List.copyOf(layers);
    }

    /** Stops every parameter from requiring gradients: the encoder is frozen from now on. */
    public VisionTransformer freeze() {
        for (Parameter p : namedParameters().values()) {
            p.freeze(true);
        }
        return this;
    }

    /** Whether no parameter requires gradients. */
    public boolean isFrozen() {
        return namedParameters().values().stream().noneMatch(Parameter::requiresGradient);
    }

    /**
     * The image features BLIP-2 hands to the Q-Former: the hidden states [B, P+1, D] of
     * {@link VisionConfig#featureLayer()} (raw, or after {@code post_layernorm} when it is -1).
     * Arrays are created in the manager of {@code pixels}.
     *
     * @param pixels [B, C, H, W], normalised as {@link org.qformerlab.blip2.data.ImageTensors} does
     * @throws IllegalArgumentException if the images do not have the configured channels and size
     */
    public NDArray features(NDArray pixels) {
        checkPixels(pixels);
        NDArray h = blocks(embeddings.forward(pixels), config.blocksForFeatures());
        return config.featuresNormalized() ? postLayernorm.forward(h) : h;
    }

    /** Runs the first {@code n} blocks over tokens [B, S, D]. */
    public NDArray blocks(NDArray tokens, int n) {
        NDArray h = tokens;
        for (int i = 0; i < n; i++) {
            h = layers.get(i).forward(h);
        }
        return h;
    }

    /** All blocks, then {@code post_layernorm}: the last hidden state [B, S, D] (what pretraining reads). */
    public NDArray lastHiddenState(NDArray tokens) {
        return postLayernorm.forward(blocks(tokens, layers.size()));
    }

    /** Rejects pixels whose shape is not [B, channels, imageSize, imageSize], naming the fix. */
    public void checkPixels(NDArray pixels) {
        Shape s = pixels.getShape();
        int size = config.imageSize();
        if (s.dimension() != 4 || s.get(1) != config.channels() || s.get(2) != size || s.get(3) != size) {
            throw new IllegalArgumentException(
                    "pixels have shape " + s + " but this image encoder reads [batch, " + config.channels() + ", "
                            + size + ", " + size + "] (channels " + config.channels() + ", " + size + "x" + size
                            + " images): resize the images to " + size + "x" + size
                            + " (ImageTensors.resize) or build the encoder with imageSize=" + (s.dimension() == 4 ? s.get(2) : "<H>"));
        }
        if (pixels.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException(
                    "pixels are " + pixels.getDataType() + " but the image encoder reads float32 (ImageTensors.pixels)");
        }
    }
}
