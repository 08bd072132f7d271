package org.qformerlab.blip2.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Map;
import org.qformerlab.blip2.checkpoint.NameMap;
import org.qformerlab.blip2.nn.Autocast;
import org.qformerlab.blip2.nn.Module;

/**
 * OPT as a causal language model (Hugging Face {@code OPTForCausalLM}): the decoder
 * ({@code model.decoder}) and an LM head whose weight is the token embedding table
 * ({@code lm_head.weight} tied to {@code model.decoder.embed_tokens.weight}, no bias).
 *
 * <p>In BLIP-2 the LLM is frozen: the constructor freezes every parameter, so no optimizer ever
 * updates them and autograd keeps no gradient for them; gradients still flow through the model to
 * its input embeddings (the soft visual prompt), which is all stage 2 needs.
 */
public final class OptModel extends Module implements CausalLm {

    /** Hugging Face OPT checkpoints as they are; {@code lm_head.weight} is the tied copy. */
    public static final NameMap HUGGING_FACE_NAMES = new NameMap.RuleNameMap(
            "Hugging Face OPT", java.util.List.of(), Map.of("lm_head.weight", "model.decoder.embed_tokens.weight"));

    private final OptConfig config;
    private final OptDecoder decoder;

    public OptModel(OptConfig c) {
        this.config = c;
        this.decoder = module("model.decoder", new OptDecoder(c));
        freezeParameters(true); // frozen from birth: however it is initialised, nothing records its gradients
    }

    /** Builds and initialises (normal(0, 0.02)) a frozen OPT on the manager's device. */
    public static OptModel create(OptConfig c, NDManager manager) {
        OptModel model = new OptModel(c);
        model.initialize(manager, DataType.FLOAT32);
        return model;
    }

    public OptConfig config() {
        return config;
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public int embeddingWidth() {
        return config.hiddenSize();
    }

    @Override
    public NDArray embedTokens(NDArray ids) {
        return decoder.embedTokens().forward(ids);
    }

    @Override
    public Output forward(NDArray inputsEmbeds, NDArray attentionMask, KvCache past, boolean training) {
        OptDecoder.Output out = decoder.forward(inputsEmbeds, attentionMask, past, training);
        return new Output(lmHead(out.hidden()), out.cache());
    }

    /** hidden [B, S, D] -> logits [B, S, V] through the tied {@code lm_head}. */
    public NDArray lmHead(NDArray hidden) {
        NDArray in = Autocast.compute(hidden);
        return in.getNDArrayInternal()
                .linear(in, Autocast.compute(decoder.embedTokens().weight()), null).singletonOrThrow();
    }
}
