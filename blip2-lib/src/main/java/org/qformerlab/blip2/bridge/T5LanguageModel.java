package org.qformerlab.blip2.bridge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import org.qformerlab.blip2.llm.CausalLm;
import org.qformerlab.blip2.llm.Generation;
import org.qformerlab.blip2.llm.GenerationConfig;
import org.qformerlab.blip2.llm.Generator;
import org.qformerlab.blip2.llm.T5Model;
import org.qformerlab.blip2.nn.CrossEntropy;
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
    public int vocabSize() {
        return t5.config().vocabSize();
    }

    /**
     * LAVIS {@code Blip2T5}: the encoder reads {@code [soft prompt ; prompt + EOS]} under
     * {@code [ones(N) ; ones]}; the decoder reads {@code [start ; suffix[:-1]]} under the suffix's mask
     * and predicts the suffix (labels: its non-padding tokens, EOS included).
     */
    @Override
    public Modelling languageModelling(NDManager scope, NDArray softPrompt, NDArray textIds, NDArray textMask,
                                       int promptLength, boolean training) {
        long b = textIds.getShape().get(0);
        long t = textIds.getShape().get(1);
        int n = (int) softPrompt.getShape().get(1);
        NDArray eos = scope.full(new Shape(b, 1), t5.config().eosTokenId(), DataType.INT64);
        NDArray prompt = textIds.get(new NDIndex(":, {}:{}", Math.min(1, promptLength), promptLength))
                .toType(DataType.INT64, false).concat(eos, 1);
        NDArray encoderInputs = softPrompt.concat(t5.embedTokens(prompt), 1);
        NDArray encoderMask = scope.ones(new Shape(b, n + prompt.getShape().get(1)), DataType.INT64);
        NDArray encoded = t5.encode(encoderInputs, encoderMask, training);

        NDArray target = textIds.get(new NDIndex(":, {}:", promptLength)).toType(DataType.INT64, false);
        NDArray targetMask = textMask.get(new NDIndex(":, {}:", promptLength)).toType(DataType.INT64, false);
        long s = t - promptLength;
        NDArray decoderIds = scope.full(new Shape(b, 1), t5.config().decoderStartTokenId(), DataType.INT64)
                .concat(target.get(new NDIndex(":, :{}", s - 1)), 1);
        CausalLm decoder = t5.decoderFor(encoded, encoderMask);
        NDArray logits = decoder.forward(decoder.embedTokens(decoderIds), targetMask, null, training).logits();
        NDArray valid = targetMask.toType(DataType.FLOAT32, false).reshape(b * s);
        NDArray loss = CrossEntropy.loss(logits.reshape(b * s, t5.config().vocabSize()), target.reshape(b * s), 0.0,
                valid);
        return new Modelling(loss, logits);
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
