package org.qformerlab.blip2.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.checkpoint.NameMap;
import org.qformerlab.blip2.nn.Autocast;
import org.qformerlab.blip2.nn.Dense;
import org.qformerlab.blip2.nn.Embedding;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.Overwrite;
import org.qformerlab.blip2.nn.Scalars;

/**
 * T5 / FlanT5 as an encoder-decoder language model (Hugging Face
 * {@code T5ForConditionalGeneration}): a shared token embedding ({@code shared}), the
 * {@code encoder} and {@code decoder} stacks and an LM head ({@code lm_head}). In BLIP-2 the
 * encoder reads [soft visual prompt ; embedded prompt] and the decoder generates the answer; the
 * model is frozen from construction.
 *
 * <p>Generation goes through {@link #decoderFor}: the decoder bound to one encoder output is a
 * {@link CausalLm}, so the same {@link Generator} (greedy, beams, sampling, KV cache) serves OPT and
 * T5.
 */
public final class T5Model extends Module {

    /** Hugging Face T5 checkpoints: both stacks' {@code embed_tokens} are copies of {@code shared}. */
    public static final NameMap HUGGING_FACE_NAMES = new NameMap.RuleNameMap("Hugging Face T5", List.of(),
            Map.of("encoder.embed_tokens.weight", "shared.weight", "decoder.embed_tokens.weight", "shared.weight"));

    private final T5Config config;
    private final Embedding shared;
    private final T5Stack encoder;
    private final T5Stack decoder;
    private final Dense lmHead; // null when tied to shared

    public T5Model(T5Config c) {
        this.config = c;
        this.shared = module("shared", new Embedding(c.vocabSize(), c.dModel()));
        this.encoder = module("encoder", new T5Stack(c, false));
        this.decoder = module("decoder", new T5Stack(c, true));
        this.lmHead = c.tieWordEmbeddings() ? null : module("lm_head", new Dense(c.dModel(), c.vocabSize(), false));
        freezeParameters(true);
    }

    /**
     * Builds a frozen T5 on the manager's device, initialised as T5 is (Mesh TensorFlow's scheme, as
     * Hugging Face's {@code T5PreTrainedModel}): every weight normal with mean 0 and a standard
     * deviation that keeps a unit-scale input at unit scale: {@code shared} 1; {@code q}
     * {@code (dModel dKv)^-1/2}, which stands in for the 1/sqrt(dKv) that T5's attention leaves out;
     * {@code k}, {@code v}, {@code wi_0}, {@code wi_1} and {@code relative_attention_bias}
     * {@code dModel^-1/2}; {@code o} {@code (heads dKv)^-1/2}; {@code wo} {@code dFf^-1/2}; the
     * untied {@code lm_head} {@code dModel^-1/2} (Hugging Face draws it at 1, which on a width of 128
     * puts an untrained model's loss far above uniform). The layer norms start at 1. A T5 that is
     * only loaded ({@code Weights.load}) never sees these values; a T5 pretrained here learns faster
     * from them than from the 0.02 that suits BERT and OPT ({@link LanguagePretraining}).
     */
    public static T5Model create(T5Config c, NDManager manager) {
        T5Model model = new T5Model(c);
        model.initialize(manager, DataType.FLOAT32);
        int d = c.dModel();
        model.namedParameters().forEach((name, p) -> {
            double std;
            if (name.endsWith(".q.weight")) {
                std = Math.pow((double) d * c.dKv(), -0.5);
            } else if (name.endsWith(".k.weight") || name.endsWith(".v.weight") || name.endsWith("wi_0.weight")
                    || name.endsWith("wi_1.weight") || name.endsWith("relative_attention_bias.weight")
                    || name.startsWith("lm_head")) {
                std = Math.pow(d, -0.5);
            } else if (name.endsWith(".o.weight")) {
                std = Math.pow((double) c.numHeads() * c.dKv(), -0.5);
            } else if (name.endsWith("wo.weight")) {
                std = Math.pow(c.dFf(), -0.5);
            } else if (name.startsWith("shared")) {
                std = 1.0;
            } else {
                return; // the RMS norms' weights: ones
            }
            NDArray w = p.getArray();
            try (NDManager scope = manager.newSubManager()) {
                Overwrite.copy(w, scope.randomNormal(0f, (float) std, w.getShape(), w.getDataType(), w.getDevice()));
            }
        });
        return model;
    }

    public T5Config config() {
        return config;
    }

    /** Token ids [B, S] -> embeddings [B, S, dModel] (T5 does not scale them). */
    public NDArray embedTokens(NDArray ids) {
        return shared.forward(ids);
    }

    /** The encoder over input embeddings [B, L, dModel] with padding mask [B, L]. */
    public NDArray encode(NDArray inputsEmbeds, NDArray mask, boolean training) {
        return encoder.encode(inputsEmbeds, mask, training);
    }

    /** Decoder hidden states [B, S, dModel] -> logits [B, S, V]. */
    public NDArray lmHead(NDArray hidden) {
        if (lmHead != null) {
            return lmHead.forward(hidden);
        }
        NDArray scaled = Autocast.compute(Scalars.times(hidden, Math.pow(config.dModel(), -0.5)));
        return scaled.getNDArrayInternal().linear(scaled, Autocast.compute(shared.weight()), null).singletonOrThrow();
    }

    /** The decoder conditioned on one encoder output, as a causal LM for the {@link Generator}. */
    public CausalLm decoderFor(NDArray encoderHidden, NDArray encoderMask) {
        return new BoundDecoder(encoderHidden, T5Stack.crossBias(encoderMask));
    }

    private final class BoundDecoder implements CausalLm {
        private final NDArray encoderHidden;
        private final NDArray crossBias; // computed once per bound decoder, not per step

        BoundDecoder(NDArray encoderHidden, NDArray crossBias) {
            this.encoderHidden = encoderHidden;
            this.crossBias = crossBias;
        }

        @Override
        public int vocabSize() {
            return config.vocabSize();
        }

        @Override
        public int embeddingWidth() {
            return config.dModel();
        }

        @Override
        public NDArray embedTokens(NDArray ids) {
            return shared.forward(ids);
        }

        @Override
        public Output forward(NDArray inputsEmbeds, NDArray attentionMask, KvCache past, boolean training) {
            T5Stack.Output out = decoder.decode(inputsEmbeds, attentionMask, past, encoderHidden, crossBias, training);
            return new Output(lmHead(out.hidden()), out.cache());
        }

        @Override
        public CausalLm rows(NDArray index) {
            return new BoundDecoder(encoderHidden.get(index), crossBias.get(index));
        }
    }
}
