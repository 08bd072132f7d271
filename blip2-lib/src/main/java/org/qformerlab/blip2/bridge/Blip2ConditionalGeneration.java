package org.qformerlab.blip2.bridge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.qformerlab.blip2.checkpoint.CheckpointException;
import org.qformerlab.blip2.checkpoint.NameMap;
import org.qformerlab.blip2.checkpoint.SafetensorsShards;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.llm.Generation;
import org.qformerlab.blip2.llm.GenerationConfig;
import org.qformerlab.blip2.llm.OptModel;
import org.qformerlab.blip2.llm.T5Model;
import org.qformerlab.blip2.nn.GradMode;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.Scopes;
import org.qformerlab.blip2.vision.VisionTransformer;

/**
 * BLIP-2 for image-to-text generation, whole (Hugging Face {@code Blip2ForConditionalGeneration}):
 *
 * <pre>
 *   pixels -> vision_model (frozen ViT) -> Q-Former queries (ln_vision, cross-attention)
 *          -> language_projection -> frozen LLM (OPT or FlanT5) -> caption ids
 * </pre>
 *
 * Internally the parameters keep this library's names ({@code vision_model.*}, LAVIS's
 * {@code query_tokens}, {@code ln_vision}, {@code Qformer.*}, {@code opt_proj}/{@code t5_proj},
 * {@code opt_model}/{@code t5_model}); {@link #huggingFaceNames()} spells them as Hugging Face does.
 * Hugging Face stores LAVIS's {@code ln_vision} as {@code vision_model.post_layernorm}, the vision
 * model's own final norm: both this encoder's {@code post_layernorm} and the bridge's
 * {@code ln_vision} load that tensor, the features are the last block's raw output, and only
 * {@code ln_vision} is applied, which is Hugging Face's function.
 *
 * <p>{@link #load} builds the model from a downloaded folder ({@code config.json},
 * {@code model.safetensors} or its shards) and checks the weights against it first: every missing,
 * unexpected or wrongly shaped tensor is named.
 */
public final class Blip2ConditionalGeneration extends Module {

    private final Blip2Config config;
    private final VisionTransformer vision;
    private final QFormerBridge bridge;
    private final FrozenLanguageModel llm;
    private Weights.Report loadReport;

    public Blip2ConditionalGeneration(Blip2Config config) {
        this.config = config;
        this.llm = config.opt() != null ? new OptLanguageModel(new OptModel(config.opt()))
                : new T5LanguageModel(new T5Model(config.t5()));
        this.vision = module("vision_model", new VisionTransformer(config.vision())).freeze();
        this.bridge = inline("bridge", new QFormerBridge(config.qformer(), llm.embeddingWidth(), llm.projectionName(),
                config.vision().layerNormEps()));
        module(llm.checkpointName(), llm.module());
    }

    /** Builds and initialises (random weights) a model on the manager's device. */
    public static Blip2ConditionalGeneration create(Blip2Config config, NDManager manager) {
        Blip2ConditionalGeneration model = new Blip2ConditionalGeneration(config);
        model.initialize(manager, DataType.FLOAT32);
        return model;
    }

    /**
     * Builds the model that {@code dir/config.json} describes on the manager's device and loads
     * {@code dir/model.safetensors} (or its shards) under Hugging Face names.
     *
     * @throws CheckpointException naming the folder and every missing, unexpected or misshapen tensor
     */
    public static Blip2ConditionalGeneration load(Path dir, NDManager manager) {
        Blip2ConditionalGeneration model = create(Blip2Config.read(dir), manager);
        model.loadReport = SafetensorsShards.load(model, dir, model.huggingFaceNames(), model.checkpointPolicy());
        return model;
    }

    /**
     * What {@link #load} did: the tensors loaded, those absent on purpose, and those converted from
     * another floating-point type (a float16 or bfloat16 release into float32); null for a model
     * that was built, not loaded.
     */
    public Weights.Report loadReport() {
        return loadReport;
    }

    /** Saves the weights under Hugging Face names as one {@code model.safetensors} in {@code dir}. */
    public void save(Path dir) {
        Weights.save(this, dir.resolve(SafetensorsShards.SINGLE), huggingFaceNames());
    }

    /** Hugging Face's names for this model's parameters, with the LLM's tied copies. */
    public NameMap huggingFaceNames() {
        Map<String, String> aliases = new LinkedHashMap<>(llm.tiedCopies());
        return new NameMap() {
            @Override
            public String external(String internal) {
                return NameMap.HUGGING_FACE.external(internal);
            }

            @Override
            public Map<String, String> aliases() {
                return aliases;
            }

            @Override
            public String toString() {
                return "Hugging Face Blip2ForConditionalGeneration";
            }
        };
    }

    /**
     * LAVIS's names ({@code Blip2OPT}, {@code Blip2T5}): this model's own, with the LLM's tied copies
     * spelled as LAVIS writes them (e.g. {@code t5_model.encoder.embed_tokens.weight}).
     */
    public NameMap lavisNames() {
        Map<String, String> aliases = new LinkedHashMap<>(NameMap.LAVIS.aliases());
        llm.tiedCopies().forEach((file, internal) ->
                aliases.put(file.replaceFirst("^language_model\\.", llm.checkpointName() + "."), internal));
        return new NameMap() {
            @Override
            public String external(String internal) {
                return internal;
            }

            @Override
            public Map<String, String> aliases() {
                return aliases;
            }

            @Override
            public String toString() {
                return "LAVIS Blip2" + (config.opt() != null ? "OPT" : "T5");
            }
        };
    }

    /**
     * Exact, except for the Q-Former's text side and stage-1 heads, which image-to-text models do
     * not have (they keep their initial values and are never used).
     */
    public Weights.Policy checkpointPolicy() {
        return Weights.Policy.strict().absentOnPurpose(
                "image-to-text BLIP-2 has no Q-Former text side or stage-1 heads", bridge.unusedParameters());
    }

    public Blip2Config config() {
        return config;
    }

    public VisionTransformer vision() {
        return vision;
    }

    public QFormerBridge bridge() {
        return bridge;
    }

    public FrozenLanguageModel llm() {
        return llm;
    }

    /**
     * Captions images: pixels [B, 3, S, S] (normalised, e.g. by
     * {@link org.qformerlab.blip2.vision.BlipImageProcessor}) through vision, Q-Former and projection
     * to the soft prompt, then the LLM decodes after the prompt, without gradients, in a scope of
     * its own.
     *
     * @param promptIds the prompt's ids, framed for the LLM ({@link FrozenLanguageModel#framePrompt}),
     *     shared by every image; may be empty
     */
    public Generation generate(NDManager manager, NDArray pixels, long[] promptIds, GenerationConfig generation) {
        try (GradMode ignored = GradMode.off(); NDManager scope = manager.newSubManager()) {
            Scopes.enter(scope, pixels);
            long b = pixels.getShape().get(0);
            NDArray softPrompt = bridge.forward(scope, vision.features(pixels), false).embeds();
            NDArray prompt = promptIds.length == 0 ? null
                    : scope.create(promptIds).reshape(1, promptIds.length).repeat(0, b);
            return llm.generate(scope, softPrompt, prompt, generation);
        }
    }

    /** Decoding settings for this model: greedy or beam search, stopping at the LLM's EOS. */
    public GenerationConfig generationConfig(int maxNewTokens, int numBeams) {
        GenerationConfig greedy = GenerationConfig.greedy(maxNewTokens, llm.eosTokenId(), llm.padTokenId());
        return numBeams == 1 ? greedy : greedy.withBeams(numBeams, 1.0);
    }
}
