package org.qformerlab.blip2.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * A language model small enough to reason about by hand: the next token's logits depend only on
 * the current token, through a table {@code logits[current][next]}. Tokens are embedded as one-hot
 * rows, so a prefix of {@code embedTokens([start])} starts from {@code start}. It needs no cache:
 * each position's logits come from that position alone.
 */
class TransitionLm implements CausalLm {

    private final NDArray table;
    private final int vocab;

    TransitionLm(NDManager manager, float[][] logits) {
        this.vocab = logits.length;
        float[] flat = new float[vocab * vocab];
        for (int i = 0; i < vocab; i++) {
            System.arraycopy(logits[i], 0, flat, i * vocab, vocab);
        }
        this.table = manager.create(flat, new Shape(vocab, vocab));
    }

    /** Logits from log-probabilities written as probabilities (0 becomes a very unlikely token). */
    static float[][] fromProbabilities(double[][] p) {
        float[][] out = new float[p.length][p.length];
        for (int i = 0; i < p.length; i++) {
            for (int j = 0; j < p.length; j++) {
                out[i][j] = (float) Math.log(Math.max(p[i][j], 1e-9));
            }
        }
        return out;
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public int embeddingWidth() {
        return vocab;
    }

    @Override
    public NDArray embedTokens(NDArray ids) {
        return ids.oneHot(vocab, DataType.FLOAT32);
    }

    @Override
    public Output forward(NDArray inputsEmbeds, NDArray attentionMask, KvCache past, boolean training) {
        return new Output(inputsEmbeds.matMul(table), new KvCache(List.of(), null));
    }
}
