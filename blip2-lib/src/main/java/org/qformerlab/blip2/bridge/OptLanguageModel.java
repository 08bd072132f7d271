package org.qformerlab.blip2.bridge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.qformerlab.blip2.llm.Generation;
import org.qformerlab.blip2.llm.GenerationConfig;
import org.qformerlab.blip2.llm.Generator;
import org.qformerlab.blip2.llm.OptModel;
import org.qformerlab.blip2.nn.CrossEntropy;
import org.qformerlab.blip2.nn.Module;

/**
 * OPT as BLIP-2's frozen decoder-only LLM (LAVIS {@code Blip2OPT}, Hugging Face
 * {@code Blip2ForConditionalGeneration} with an OPT {@code text_config}): the caption continues
 * {@code [soft prompt ; BOS + prompt]}. The LM head is the tied token embedding, which Hugging Face
 * files may also store as {@code language_model.lm_head.weight}.
 */
public final class OptLanguageModel implements FrozenLanguageModel {

    private final OptModel opt;

    public OptLanguageModel(OptModel opt) {
        this.opt = opt;
    }

    public OptModel opt() {
        return opt;
    }

    @Override
    public Module module() {
        return opt;
    }

    @Override
    public String checkpointName() {
        return "opt_model";
    }

    @Override
    public String projectionName() {
        return QFormerBridge.OPT_PROJ;
    }

    @Override
    public int embeddingWidth() {
        return opt.embeddingWidth();
    }

    @Override
    public Map<String, String> tiedCopies() {
        return Map.of("language_model.lm_head.weight", "opt_model.model.decoder.embed_tokens.weight");
    }

    /** OPT's tokenizer starts every text with BOS ({@code </s>}); added here when the ids lack it. */
    @Override
    public long[] framePrompt(long[] promptIds) {
        long bos = opt.config().bosTokenId();
        if (promptIds.length > 0 && promptIds[0] == bos) {
            return promptIds.clone();
        }
        long[] out = new long[promptIds.length + 1];
        out[0] = bos;
        System.arraycopy(promptIds, 0, out, 1, promptIds.length);
        return out;
    }

    @Override
    public int eosTokenId() {
        return opt.config().eosTokenId();
    }

    @Override
    public int padTokenId() {
        return opt.config().padTokenId();
    }

    @Override
    public int vocabSize() {
        return opt.vocabSize();
    }

    /**
     * LAVIS {@code Blip2OPT}: OPT reads {@code [soft prompt ; text]} (positions from the cumulative sum of
     * the mask); position {@code N - 1 + i} predicts text token i, counted from {@code promptLength} on.
     */
    @Override
    public Modelling languageModelling(NDManager scope, NDArray softPrompt, NDArray textIds, NDArray textMask,
                                       int promptLength, boolean training) {
        long b = textIds.getShape().get(0);
        int t = (int) textIds.getShape().get(1);
        int n = (int) softPrompt.getShape().get(1);
        NDArray inputs = softPrompt.concat(opt.embedTokens(textIds), 1);
        NDArray mask = scope.ones(new Shape(b, n), DataType.INT64).concat(textMask.toType(DataType.INT64, false), 1);
        NDArray logits = opt.forward(inputs, mask, null, training).logits();
        long v = logits.getShape().get(2);
        NDArray predictions = logits.get(new NDIndex(":, {}:{}", n - 1, n - 1 + t)).reshape(b * t, v);
        NDArray afterPrompt = scope.arange(0L, (long) t, 1L, DataType.INT64).gte((long) promptLength)
                .toType(DataType.FLOAT32, false).reshape(1, t);
        NDArray valid = textMask.toType(DataType.FLOAT32, false).mul(afterPrompt).reshape(b * t);
        return new Modelling(CrossEntropy.loss(predictions, textIds.reshape(b * t), 0.0, valid), logits);
    }

    @Override
    public Generation generate(NDManager scope, NDArray softPrompt, NDArray promptIds, GenerationConfig config) {
        NDArray prefix = promptIds == null ? softPrompt : softPrompt.concat(opt.embedTokens(promptIds), 1);
        return Generator.generate(opt, prefix, null, config);
    }
}
