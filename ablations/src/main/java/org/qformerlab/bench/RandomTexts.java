package org.qformerlab.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Benchmark texts: int64 ids [B, T] that start with a given token ([CLS] for the Q-Former, BOS for
 * OPT) followed by random words, right-padded; every 4th text is half as long, so the padding
 * masks do real work. The same seed gives the same texts.
 *
 * @param mask int64 [B, T], 1 = token, 0 = padding
 */
record RandomTexts(NDArray ids, NDArray mask) {

    /**
     * @param first the first token of every text
     * @param firstWord the smallest id drawn for a word (ids below are special tokens)
     */
    static RandomTexts of(NDManager m, int batch, int length, int first, int firstWord, int vocab, int pad) {
        long[] ids = new long[batch * length];
        long[] mask = new long[batch * length];
        SplittableRandom r = new SplittableRandom(7);
        int lowest = Math.min(firstWord, vocab - 1);
        for (int i = 0; i < batch; i++) {
            int real = i % 4 == 3 ? Math.max(2, length / 2) : length;
            for (int j = 0; j < length; j++) {
                boolean token = j < real;
                ids[i * length + j] = j == 0 ? first : token ? r.nextInt(lowest, vocab) : pad;
                mask[i * length + j] = token ? 1 : 0;
            }
        }
        return new RandomTexts(m.create(ids, new Shape(batch, length)), m.create(mask, new Shape(batch, length)));
    }
}
