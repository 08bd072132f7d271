package org.qformerlab.blip2.bridge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import org.qformerlab.blip2.llm.CausalLm;
import org.qformerlab.blip2.llm.Generation;
import org.qformerlab.blip2.llm.GenerationConfig;
import org.qformerlab.blip2.llm.Generator;
import org.qformerlab.blip2.llm.T5Model;
import org.qformerlab.blip2.nn.Module;

/**
 * FlanT5 as BLIP-2's frozen encoder-decoder LLM (LAVIS {@code Blip2T5}, Hugging Face
 * {@code Blip2ForConditionalGeneration} with a T5 {@code text_config}): the encoder reads
 * {@code [soft prompt ; prompt + EOS]}, and the decoder writes the caption from its start token
 * (the padding id). Both stacks' {@code embed_tokens} are tied copies of {@code shared}, as is
 * {@code lm_head} when the config ties it.
 */
public final class T5LanguageModel implements FrozenLanguageModel {

    private final T5Model t5;

    public T5LanguageModel(T5Model t5) {
        this.t5 = t5;
    }

    public T5Model t5() {
        return t5;
    }

    @Override
    public Module module() {
        return t5;
    }

    @Override
    public String checkpointName() {
        return "t5_model";
    }

    @Override
    public String projectionName() {
        return QFormerBridge.T5_PROJ;
    }

    @Override
    public int embeddingWidth() {
        return t5.config().dModel();
    }

    @Override
    public Map<String, String> tiedCopies() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("language_model.encoder.embed_tokens.weight", "t5_model.shared.weight");
        out.put("language_model.decoder.embed_tokens.weight", "t5_model.shared.weight");
        if (t5.config().tieWordEmbeddings()) {
            out.put("language_model.lm_head.weight", "t5_model.shared.weight");
        }
        return out;
    }

    /** T5's tokenizer ends every text with EOS; added here when the ids lack it. */
    @Override
    public long[] framePrompt(long[] promptIds) {
        long eos = t5.config().eosTokenId();
        if (promptIds.length > 0 && promptIds[promptIds.length - 1] == eos) {
            return promptIds.clone();
        }
        long[] out = java.util.Arrays.copyOf(promptIds, promptIds.length + 1);
        out[promptIds.length] = eos;
        return out;
    }

    @Override
    public int eosTokenId() {
        return t5.config().eosTokenId();
    }

    @Override
    public int padTokenId() {
        return t5.config().padTokenId();
    }

    @Override
    public Generation generate(NDManager scope, NDArray softPrompt, NDArray promptIds, GenerationConfig config) {
        NDArray inputs = promptIds == null ? softPrompt : softPrompt.concat(t5.embedTokens(promptIds), 1);
        Shape s = inputs.getShape();
        NDArray mask = scope.ones(new Shape(s.get(0), s.get(1)), DataType.INT64);
        CausalLm decoder = t5.decoderFor(t5.encode(inputs, mask, false), mask);
        NDArray start = decoder.embedTokens(
                scope.full(new Shape(s.get(0), 1), t5.config().decoderStartTokenId(), DataType.INT64));
        return Generator.generate(decoder, start, null, config);
    }
}
