package org.qformerlab.blip2.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.llm.CausalLm;
import org.qformerlab.blip2.llm.Generation;
import org.qformerlab.blip2.llm.GenerationConfig;
import org.qformerlab.blip2.llm.T5Config;
import org.qformerlab.blip2.llm.T5Model;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.train.AdamW;

/**
 * Stage 2 with an encoder-decoder LLM through the one {@link FrozenLanguageModel} contract: the
 * split of a text into prompt (encoder) and suffix (decoder target), the frozen T5 passing gradients
 * to the bridge, learning, and generation through the same path as Hugging Face inference.
 */
class T5Stage2Test {

    private static final QFormerConfig Q = QFormerConfig.tiny();
    private static final T5Config T5 = T5Config.tiny();
    private static final int EOS = T5.eosTokenId();
    private static final int PAD = T5.padTokenId();

    /** Two texts, framed as the stage-2 pipeline writes them: start marker, words, EOS, padding. */
    private static NDArray[] texts(NDManager m) {
        NDArray ids = m.create(new long[] {EOS, 7, 8, 9, 10, EOS, EOS, 7, 11, EOS, PAD, PAD}, new Shape(2, 6));
        NDArray mask = m.create(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, new Shape(2, 6));
        return new NDArray[] {ids, mask};
    }

    @Test
    void theEncoderReadsSoftPromptAndPromptAndTheDecoderPredictsTheSuffix() {
        try (NDManager m = NDManager.newBaseManager()) {
            Seeds.set(5);
            Stage2Model model = Stage2Model.create(Q, T5, m);
            T5Model t5 = ((T5LanguageModel) model.llm()).t5();
            NDArray image = m.randomNormal(new Shape(2, 6, Q.visionWidth()));
            NDArray[] t = texts(m);
            for (int promptLength : new int[] {1, 2}) {
                Stage2Model.Output out = model.forward(m, image, t[0], t[1], promptLength, false);
                // by hand: encoder [soft ; words 1..P-1 ; EOS], decoder [start ; suffix[:-1]] -> suffix
                NDArray soft = out.prompt().embeds();
                long[] ids = t[0].toLongArray();
                long[] prompt = new long[promptLength];
                for (int i = 1; i < promptLength; i++) {
                    prompt[i - 1] = ids[i];
                }
                prompt[promptLength - 1] = EOS;
                NDArray promptIds = m.create(prompt).reshape(1, promptLength).repeat(0, 2);
                NDArray encIn = soft.concat(t5.embedTokens(promptIds), 1);
                NDArray encMask = m.ones(new Shape(2, encIn.getShape().get(1)), DataType.INT64);
                CausalLm decoder = t5.decoderFor(t5.encode(encIn, encMask, false), encMask);
                int s = 6 - promptLength;
                NDArray target = t[0].get(":, " + promptLength + ":");
                NDArray decIds = m.full(new Shape(2, 1), T5.decoderStartTokenId(), DataType.INT64)
                        .concat(target.get(":, :" + (s - 1)), 1);
                NDArray logits = decoder.forward(decoder.embedTokens(decIds), t[1].get(":, " + promptLength + ":"), null,
                        false).logits();
                assertEquals(new Shape(2, s, T5.vocabSize()), out.logits().getShape());
                assertArrayEquals(logits.toFloatArray(), out.logits().toFloatArray(), 1e-5f, "P=" + promptLength);
                // loss: mean over the non-padding suffix tokens (EOS included) of -log p
                NDArray logp = logits.logSoftmax(2);
                float[] lp = logp.toFloatArray();
                long[] tg = target.toLongArray();
                long[] mk = t[1].get(":, " + promptLength + ":").toLongArray();
                double sum = 0;
                int n = 0;
                for (int r = 0; r < 2; r++) {
                    for (int j = 0; j < s; j++) {
                        if (mk[r * s + j] == 1) {
                            sum -= lp[(r * s + j) * T5.vocabSize() + (int) tg[r * s + j]];
                            n++;
                        }
                    }
                }
                assertEquals(sum / n, out.loss().getFloat(), 1e-4, "P=" + promptLength);
            }
        }
    }

    @Test
    void theT5IsFrozenTheBridgeGetsGradientsAndLearnsAText() {
        try (NDManager m = NDManager.newBaseManager()) {
            Seeds.set(9);
            Stage2Model model = Stage2Model.create(Q, T5, m);
            // a random T5 at its 0.02 initialisation writes near-uniform logits whatever it reads (loss
            // stays near ln V); a head of unit scale stands in for a pretrained one, so what the
            // decoder reads from the soft prompt can change what it writes
            NDArray head = model.namedParameters().get("t5_model.lm_head.weight").getArray();
            head.muli(50f);
            NDArray image = m.randomNormal(new Shape(2, 6, Q.visionWidth()));
            NDArray[] t = texts(m);
            model.namedParameters().forEach((name, p) -> {
                if (name.startsWith("t5_model.")) {
                    assertFalse(p.requiresGradient(), name + " belongs to the frozen T5");
                }
            });
            assertEquals(model.bridge().parameterCount(true), model.parameterCount(true), "only the bridge trains");
            var trainable = new java.util.LinkedHashMap<String, ai.djl.nn.Parameter>();
            model.namedParameters().forEach((name, p) -> {
                if (p.requiresGradient()) {
                    trainable.put(name, p);
                }
            });
            float first = Float.NaN;
            float last = Float.NaN;
            try (AdamW adam = new AdamW(trainable, 0.9, 0.999, 1e-8, 0.0)) {
                for (int step = 0; step < 100; step++) {
                    try (NDManager s = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray loss = model.forward(s, image, t[0], t[1], 1, true).loss();
                        gc.backward(loss);
                        if (step == 0) {
                            first = loss.getFloat();
                            double g = trainable.get("t5_proj.weight").getArray().getGradient().abs().sum().getFloat();
                            assertTrue(g > 0, "the gradient reaches t5_proj through the frozen T5");
                        }
                        last = loss.getFloat();
                        adam.step(2e-2);
                    }
                }
            }
            assertTrue(last < 0.6 * first, "the bridge learns to make the frozen T5 write the texts: " + first + " -> " + last);
            // generation reads the soft prompt as training does: its first token is the argmax of the
            // training pass's first decoder position (prompt length 1: the encoder reads [soft ; EOS])
            NDArray one = image.get("0:1");
            Stage2Model.Output out = model.forward(m, one, t[0].get("0:1"), t[1].get("0:1"), 1, false);
            long expected = out.logits().get("0, 0").argMax().getLong();
            Generation g = model.generate(m, one, m.create(new long[] {EOS}).reshape(1, 1),
                    GenerationConfig.greedy(4, -1, PAD));
            assertEquals(expected, g.tokens()[0][0], "the first generated token");
        }
    }
}
