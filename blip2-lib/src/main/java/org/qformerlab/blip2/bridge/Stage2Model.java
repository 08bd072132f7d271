package org.qformerlab.blip2.bridge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.data.TextTensors;
import org.qformerlab.blip2.llm.Generation;
import org.qformerlab.blip2.llm.GenerationConfig;
import org.qformerlab.blip2.llm.OptConfig;
import org.qformerlab.blip2.llm.OptModel;
import org.qformerlab.blip2.llm.T5Config;
import org.qformerlab.blip2.llm.T5Model;
import org.qformerlab.blip2.nn.BatchShapes;
import org.qformerlab.blip2.nn.GradMode;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.Scopes;

/**
 * BLIP-2 stage 2: vision-to-language generative learning. The bridge turns frozen image features
 * into a soft prompt of N embeddings in front of a frozen LLM, which is trained, through the bridge
 * only, to write the text. The LLM is either kind BLIP-2 uses ({@link FrozenLanguageModel}):
 *
 * <ul>
 *   <li>decoder-only, OPT (LAVIS {@code Blip2OPT}, {@code opt_model}): it reads
 *       {@code [soft prompt ; text]} under {@code [ones(N) ; text mask]} and continues the prompt;
 *   <li>encoder-decoder, FlanT5 (LAVIS {@code Blip2T5}, {@code t5_model}): the encoder reads
 *       {@code [soft prompt ; prompt + EOS]}, the decoder writes the rest.
 * </ul>
 *
 * <pre>
 *   loss = mean over text tokens i >= promptLength, not padding, of -log p(text_i | prompt, text_&lt;i)
 * </pre>
 *
 * No label smoothing; soft-prompt positions, the text prompt and padding are not predicted. The
 * parameter names are LAVIS's ({@code query_tokens}, {@code ln_vision.*}, {@code Qformer.*},
 * {@code opt_proj.*} / {@code t5_proj.*}, {@code opt_model.*} / {@code t5_model.*}).
 */
public final class Stage2Model extends Module {

    private final Bridge bridge;
    private final FrozenLanguageModel llm;

    public Stage2Model(Bridge bridge, FrozenLanguageModel llm) {
        if (bridge.outputWidth() != llm.embeddingWidth()) {
            throw new IllegalArgumentException("the bridge produces width " + bridge.outputWidth()
                    + " but the LLM embeds tokens with width " + llm.embeddingWidth()
                    + ": build the bridge with llmWidth=" + llm.embeddingWidth());
        }
        this.bridge = inline("bridge", bridge);
        this.llm = llm;
        module(llm.checkpointName(), llm.module());
    }

    /** A bridge in front of a frozen OPT (the LAVIS layout this library started from). */
    public Stage2Model(Bridge bridge, OptModel opt) {
        this(bridge, new OptLanguageModel(opt));
    }

    /** BLIP-2 OPT: a Q-Former bridge ({@code opt_proj}) in front of a frozen OPT, initialised. */
    public static Stage2Model create(QFormerConfig qformer, OptConfig opt, NDManager manager) {
        return create(new QFormerBridge(qformer, opt.hiddenSize(), QFormerBridge.OPT_PROJ), opt, manager);
    }

    /** Any bridge (built for width {@code opt.hiddenSize()}) in front of a frozen OPT, initialised. */
    public static Stage2Model create(Bridge bridge, OptConfig opt, NDManager manager) {
        return initialised(new Stage2Model(bridge, new OptLanguageModel(new OptModel(opt))), manager);
    }

    /** BLIP-2 FlanT5: a Q-Former bridge ({@code t5_proj}) in front of a frozen T5, initialised. */
    public static Stage2Model create(QFormerConfig qformer, T5Config t5, NDManager manager) {
        return create(new QFormerBridge(qformer, t5.dModel(), QFormerBridge.T5_PROJ), t5, manager);
    }

    /** Any bridge (built for width {@code t5.dModel()}) in front of a frozen T5, initialised. */
    public static Stage2Model create(Bridge bridge, T5Config t5, NDManager manager) {
        return initialised(new Stage2Model(bridge, new T5LanguageModel(new T5Model(t5))), manager);
    }

    private static Stage2Model initialised(Stage2Model model, NDManager manager) {
        model.initialize(manager, DataType.FLOAT32);
        return model;
    }

    public Bridge bridge() {
        return bridge;
    }

    /** The frozen LLM, either kind. */
    public FrozenLanguageModel llm() {
        return llm;
    }

    /**
     * The load policy of a stage-2 checkpoint: exact, except for the bridge's parts that stage 2
     * does not use (reported by name in {@link Weights.Report}).
     */
    public Weights.Policy checkpointPolicy() {
        return Weights.Policy.strict().absentOnPurpose("stage 2 does not use the bridge's stage-1 parts (the"
                + " Q-Former's heads; its text side unless it reads the instruction)", bridge.unusedParameters());
    }

    /** The result of one stage-2 pass. */
    public record Output(NDArray loss, NDArray logits, Bridge.VisualPrompt prompt) {}

    /**
     * @param scope the step's manager; the inputs are attached to it for the step
     * @param imageEmbeds the frozen encoder's features [B, P, Dv]
     * @param textIds int64 [B, T], right-padded, first token BOS, the first {@code promptLength}
     *     tokens a prompt that is not predicted
     * @param textMask int64 [B, T], 1 = token, 0 = padding
     */
    public Output forward(
            NDManager scope, NDArray imageEmbeds, NDArray textIds, NDArray textMask, int promptLength, boolean training) {
        return forward(scope, imageEmbeds, null, textIds, textMask, promptLength, training);
    }

    /**
     * As {@link #forward(NDManager, NDArray, NDArray, NDArray, int, boolean)}, with the instruction
     * handed to the bridge (Q-Former token ids [B, T'] and mask; read by an instruction-aware
     * bridge, ignored by the others; may be null).
     */
    public Output forward(NDManager scope, NDArray imageEmbeds, TextTensors instruction, NDArray textIds,
                          NDArray textMask, int promptLength, boolean training) {
        checkText(imageEmbeds, textIds, textMask, promptLength);
        Scopes.enter(scope, imageEmbeds, textIds, textMask);
        return languageModelling(scope, bridge.forward(scope, imageEmbeds, instruction, training), textIds, textMask,
                promptLength, training);
    }

    /**
     * The frozen LLM's half of {@link #forward}: the loss of the text given a soft prompt (from
     * {@link Bridge#forward}, or any [B, N, Dllm] embeddings for experiments).
     */
    public Output languageModelling(
            NDManager scope, Bridge.VisualPrompt prompt, NDArray textIds, NDArray textMask, int promptLength,
            boolean training) {
        Scopes.enter(scope, textIds, textMask);
        FrozenLanguageModel.Modelling out =
                llm.languageModelling(scope, prompt.embeds(), textIds, textMask, promptLength, training);
        return new Output(out.loss(), out.logits(), prompt);
    }

    /**
     * Captions: decodes from {@code [soft prompt ; embedded prompt ids]} with the given strategy,
     * without gradient recording, in a scope of its own.
     *
     * @param promptIds int64 [B, P] (e.g. BOS, or BOS + "a photo of"), unpadded, or null
     */
    public Generation generate(NDManager manager, NDArray imageEmbeds, NDArray promptIds, GenerationConfig config) {
        return generate(manager, imageEmbeds, null, promptIds, config);
    }

    /** As {@link #generate(NDManager, NDArray, NDArray, GenerationConfig)}, the bridge given the instruction. */
    public Generation generate(NDManager manager, NDArray imageEmbeds, TextTensors instruction, NDArray promptIds,
                               GenerationConfig config) {
        try (GradMode ignored = GradMode.off(); NDManager scope = manager.newSubManager()) {
            Scopes.enter(scope, imageEmbeds);
            return generateFrom(scope, bridge.forward(scope, imageEmbeds, instruction, false).embeds(), promptIds,
                    config);
        }
    }

    /**
     * Decodes from a given soft prompt [B, N, Dllm] and the prompt ids, as the LLM reads them
     * ({@link FrozenLanguageModel#generate}: the one generate path, shared with
     * {@link Blip2ConditionalGeneration}).
     */
    public Generation generateFrom(NDManager manager, NDArray softPrompt, NDArray promptIds, GenerationConfig config) {
        try (GradMode ignored = GradMode.off(); NDManager scope = manager.newSubManager()) {
            Scopes.enter(scope, softPrompt, promptIds);
            return llm.generate(scope, softPrompt, promptIds, config);
        }
    }

    private static void checkText(NDArray image, NDArray ids, NDArray mask, int promptLength) {
        BatchShapes.requireImageTextBatch(image, ids, mask);
        if (promptLength < 0 || promptLength >= ids.getShape().get(1)) {
            throw new IllegalArgumentException("promptLength=" + promptLength + " must be in [0, textLength="
                    + ids.getShape().get(1) + "): at least one token must remain to predict");
        }
    }
}
