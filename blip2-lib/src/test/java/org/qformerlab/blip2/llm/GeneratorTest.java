package org.qformerlab.blip2.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.nn.GradMode;
import org.qformerlab.blip2.nn.Seeds;

/** Decoding strategies on a random tiny OPT and on a hand-made transition table. */
class GeneratorTest {

    private static final int STEPS = 8;

    /** A random tiny OPT whose logits are peaked enough to make argmax ties impossible. */
    private static OptModel randomOpt(NDManager m) {
        Seeds.set(7);
        OptModel opt = OptModel.create(OptConfig.tiny(), m);
        try (GradMode ignored = GradMode.off()) {
            opt.namedParameters().forEach((name, p) -> {
                if (name.endsWith("weight") && p.getShape().dimension() == 2) {
                    p.getArray().muli(10f); // normal(0, 0.2): distinct logits
                }
            });
        }
        return opt;
    }

    /** Two rows of 5 prefix embeddings; the second row is left-padded by 2. */
    private static NDArray[] prefix(NDManager m) {
        Seeds.set(11);
        NDArray embeds = m.randomNormal(new Shape(2, 5, OptConfig.tiny().hiddenSize()));
        NDArray mask = m.create(new long[] {1, 1, 1, 1, 1, 0, 0, 1, 1, 1}, new Shape(2, 5));
        return new NDArray[] {embeds, mask};
    }

    private static GenerationConfig greedy(int eos) {
        return GenerationConfig.greedy(STEPS, eos, 1).withStepLogits(true);
    }

    @Test
    void kvCacheGivesTheSameTokensAndLogitsAsRecomputing() {
        try (NDManager m = NDManager.newBaseManager()) {
            OptModel opt = randomOpt(m);
            NDArray[] p = prefix(m);
            Generation cached = Generator.generate(opt, p[0], p[1], greedy(-1));
            Generation full = Generator.generate(opt, p[0], p[1], greedy(-1).withCache(false));
            assertEquals(STEPS, cached.tokens()[0].length);
            for (int r = 0; r < 2; r++) {
                assertArrayEquals(full.tokens()[r], cached.tokens()[r], "row " + r);
                double maxDiff = 0;
                double maxRef = 0;
                for (int s = 0; s < STEPS; s++) {
                    for (int v = 0; v < opt.vocabSize(); v++) {
                        maxDiff = Math.max(maxDiff, Math.abs(full.stepLogits()[r][s][v] - cached.stepLogits()[r][s][v]));
                        maxRef = Math.max(maxRef, Math.abs(full.stepLogits()[r][s][v]));
                    }
                }
                assertTrue(maxDiff / maxRef <= 1e-5, "row " + r + ": relative logit difference " + maxDiff / maxRef);
            }
            // the padded row really is different from the same embeddings unpadded
            Generation unpadded = Generator.generate(opt, p[0], null, greedy(-1));
            assertNotEquals(unpadded.stepLogits()[1][0][0], cached.stepLogits()[1][0][0]);
            // beam search too: cache and recompute agree
            GenerationConfig beams = GenerationConfig.greedy(STEPS, -1, 1).withBeams(3, 1.0);
            Generation b1 = Generator.generate(opt, p[0], p[1], beams);
            Generation b2 = Generator.generate(opt, p[0], p[1], beams.withCache(false));
            assertArrayEquals(b2.tokens(), b1.tokens());
        }
    }

    @Test
    void oneBeamIsGreedyAndEosStopsARow() {
        try (NDManager m = NDManager.newBaseManager()) {
            OptModel opt = randomOpt(m);
            NDArray[] p = prefix(m);
            long[] free = Generator.generate(opt, p[0], p[1], greedy(-1)).tokens()[0];
            int eos = (int) free[2]; // row 0 stops at its third token
            Generation g = Generator.generate(opt, p[0], p[1], greedy(eos));
            assertEquals(eos, g.tokens()[0][g.tokens()[0].length - 1]);
            assertTrue(g.tokens()[0].length <= 3);
            Generation beam = Generator.generate(opt, p[0], p[1], GenerationConfig.greedy(STEPS, eos, 1).withBeams(1, 1.0));
            assertArrayEquals(g.tokens(), beam.tokens());
        }
    }

    @Test
    void nucleusWithTinyTopPIsGreedyAndSeedsReproduce() {
        try (NDManager m = NDManager.newBaseManager()) {
            OptModel opt = randomOpt(m);
            NDArray[] p = prefix(m);
            Generation g = Generator.generate(opt, p[0], p[1], greedy(-1));
            Generation nucleus = Generator.generate(opt, p[0], p[1], greedy(-1).withSampling(1e-6, 1.0, 123));
            assertArrayEquals(g.tokens(), nucleus.tokens());
            GenerationConfig hot = greedy(-1).withSampling(1.0, 5.0, 5);
            assertArrayEquals(Generator.generate(opt, p[0], p[1], hot).tokens(),
                    Generator.generate(opt, p[0], p[1], hot).tokens(), "same seed, same text");
            assertFalse(java.util.Arrays.deepEquals(Generator.generate(opt, p[0], p[1], hot).tokens(),
                    Generator.generate(opt, p[0], p[1], greedy(-1).withSampling(1.0, 5.0, 6)).tokens()),
                    "a different seed at temperature 5 over 64 tokens should give a different text");
        }
    }

    /*
     * Transition tables (rows: current token, columns: next token). Token 0 is the start, 3 is EOS.
     */

    @Test
    void nucleusKeepsTheSmallestSetReachingTopP() {
        // from start: p(1) = 0.7, p(2) = 0.3. top-p 0.5 keeps {1}; top-p 1 keeps both, and about 30 %
        // of 400 seeded draws pick 2 (binomial sd = sqrt(400 * 0.21) = 9.2, so 120 +- 46 is 5 sd).
        double[][] probs = {{0, 0.7, 0.3, 0}, {0, 0.5, 0.5, 0}, {0, 0.5, 0.5, 0}, {0.25, 0.25, 0.25, 0.25}};
        try (NDManager m = NDManager.newBaseManager()) {
            TransitionLm lm = new TransitionLm(m, TransitionLm.fromProbabilities(probs));
            NDArray start = lm.embedTokens(m.create(new long[] {0}, new Shape(1, 1)));
            GenerationConfig one = GenerationConfig.greedy(1, 3, 0);
            int twos = 0;
            for (int seed = 0; seed < 400; seed++) {
                assertEquals(1, Generator.generate(lm, start, null, one.withSampling(0.5, 1.0, seed)).tokens()[0][0]);
                twos += Generator.generate(lm, start, null, one.withSampling(1.0, 1.0, seed)).tokens()[0][0] == 2 ? 1 : 0;
            }
            assertTrue(twos > 74 && twos < 166, "token 2 drawn " + twos + " times of 400 at p = 0.3");
        }
    }

    @Test
    void beamSearchFindsTheLikelierTextThatGreedyMisses() {
        // greedy takes 1 (0.6) and then at best 0.4: 0.24 in all. Beam search with 2 beams also
        // follows 2 (0.4) and then EOS (0.9): 0.36, the likelier text.
        double[][] probs = {{0, 0.6, 0.4, 0}, {0, 0.4, 0.3, 0.3}, {0, 0.05, 0.05, 0.9}, {0.25, 0.25, 0.25, 0.25}};
        try (NDManager m = NDManager.newBaseManager()) {
            TransitionLm lm = new TransitionLm(m, TransitionLm.fromProbabilities(probs));
            NDArray start = lm.embedTokens(m.create(new long[] {0}, new Shape(1, 1)));
            GenerationConfig cfg = GenerationConfig.greedy(2, 3, 0);
            assertArrayEquals(new long[] {1, 1}, Generator.generate(lm, start, null, cfg).tokens()[0]);
            assertArrayEquals(new long[] {2, 3}, Generator.generate(lm, start, null, cfg.withBeams(2, 1.0)).tokens()[0]);
        }
    }

    @Test
    void lengthPenaltyDecidesBetweenShortAndLongTexts() {
        // Short text [3]: log 0.5 = -0.693 over length 1. Long text [1, 3]: log 0.45 + log 0.9 = -0.904
        // over length 2. Penalty 1: -0.693 vs -0.452, the long one wins; penalty 0 (raw sums): the short one.
        double[][] probs = {{0, 0.45, 0.05, 0.5}, {0, 0.05, 0.05, 0.9}, {0, 0.05, 0.05, 0.9}, {0.25, 0.25, 0.25, 0.25}};
        try (NDManager m = NDManager.newBaseManager()) {
            TransitionLm lm = new TransitionLm(m, TransitionLm.fromProbabilities(probs));
            NDArray start = lm.embedTokens(m.create(new long[] {0}, new Shape(1, 1)));
            GenerationConfig cfg = GenerationConfig.greedy(3, 3, 0);
            assertArrayEquals(new long[] {1, 3}, Generator.generate(lm, start, null, cfg.withBeams(2, 1.0)).tokens()[0]);
            assertArrayEquals(new long[] {3}, Generator.generate(lm, start, null, cfg.withBeams(2, 0.0)).tokens()[0]);
        }
    }

    @Test
    void repetitionPenaltyAndMinimumLength() {
        // after 1: logit(1) = 2, logit(2) = 1.5. Without penalty greedy repeats 1; with penalty 2 the
        // repeated 1 scores 2 / 2 = 1 < 1.5, so 2 follows. A negative logit is multiplied instead.
        float[][] logits = {{0, 3, 0, 0}, {0, 2, 1.5f, 0}, {0, 0, 0, 3}, {0, 0, 0, 0}};
        try (NDManager m = NDManager.newBaseManager()) {
            TransitionLm lm = new TransitionLm(m, logits);
            NDArray start = lm.embedTokens(m.create(new long[] {0}, new Shape(1, 1)));
            GenerationConfig cfg = GenerationConfig.greedy(3, 3, 0);
            assertArrayEquals(new long[] {1, 1, 1}, Generator.generate(lm, start, null, cfg).tokens()[0]);
            assertArrayEquals(new long[] {1, 2, 3}, Generator.generate(lm, start, null, cfg.withRepetitionPenalty(2)).tokens()[0]);
            assertArrayEquals(new long[] {1, 2, 3},
                    Generator.generate(lm, start, null, cfg.withRepetitionPenalty(2).withBeams(2, 1.0)).tokens()[0]);
        }
        float[] row = {2f, -1f, 0.5f};
        LogitsRules.penalizeRepeats(row, List.of(0L, 1L, 1L), 2.0);
        assertArrayEquals(new float[] {1f, -2f, 0.5f}, row);

        // EOS is the likeliest first token; with minNewTokens 2 it may only come third
        float[][] eager = {{0, 1, 0, 3}, {0, 0, 1, 3}, {0, 1, 0, 3}, {0, 0, 0, 0}};
        try (NDManager m = NDManager.newBaseManager()) {
            TransitionLm lm = new TransitionLm(m, eager);
            NDArray start = lm.embedTokens(m.create(new long[] {0}, new Shape(1, 1)));
            GenerationConfig cfg = GenerationConfig.greedy(5, 3, 0);
            assertArrayEquals(new long[] {3}, Generator.generate(lm, start, null, cfg).tokens()[0]);
            assertArrayEquals(new long[] {1, 2, 3}, Generator.generate(lm, start, null, cfg.withMinNewTokens(2)).tokens()[0]);
            assertArrayEquals(new long[] {1, 2, 3},
                    Generator.generate(lm, start, null, cfg.withMinNewTokens(2).withBeams(3, 1.0)).tokens()[0]);
        }
    }

    @Test
    void generationRecordsNoGradientAndRestoresTheMode() {
        float[][] logits = {{0, 3, 0, 0}, {0, 2, 1.5f, 0}, {0, 0, 0, 3}, {0, 0, 0, 0}};
        try (NDManager m = NDManager.newBaseManager()) {
            TransitionLm lm = new TransitionLm(m, logits) {
                @Override
                public Output forward(NDArray inputsEmbeds, NDArray mask, KvCache past, boolean training) {
                    assertFalse(JniUtils.isGradMode(), "generation must not record gradients");
                    return super.forward(inputsEmbeds, mask, past, training);
                }
            };
            boolean before = JniUtils.isGradMode();
            Generator.generate(lm, lm.embedTokens(m.create(new long[] {0}, new Shape(1, 1))), null,
                    GenerationConfig.greedy(3, 3, 0));
            assertEquals(before, JniUtils.isGradMode());
        }
    }

    @Test
    void eachStepFreesWhatThePreviousStepMade() {
        // counts the arrays alive in the generation's scope at every model call: with the per-step
        // managers the count is the same at every step (it would grow by a step's intermediates otherwise)
        try (NDManager m = NDManager.newBaseManager()) {
            OptModel opt = randomOpt(m);
            List<Integer> alive = new java.util.ArrayList<>();
            CausalLm counting = new CausalLm() {
                public int vocabSize() {
                    return opt.vocabSize();
                }

                public int embeddingWidth() {
                    return opt.embeddingWidth();
                }

                public NDArray embedTokens(NDArray ids) {
                    return opt.embedTokens(ids);
                }

                public Output forward(NDArray inputsEmbeds, NDArray mask, KvCache past, boolean training) {
                    var scope = (ai.djl.ndarray.BaseNDManager) inputsEmbeds.getManager().getParentManager();
                    alive.add(scope.getManagedArrays().size());
                    return opt.forward(inputsEmbeds, mask, past, training);
                }
            };
            NDArray[] p = prefix(m);
            Generator.generate(counting, p[0], p[1], GenerationConfig.greedy(12, -1, 1));
            assertEquals(12, alive.size());
            for (int step = 3; step < alive.size(); step++) {
                assertEquals(alive.get(2), alive.get(step), "arrays alive at each step: " + alive);
            }
        }
    }

    @Test
    void badConfigsAndPrefixesAreExplained() {
        var e = assertThrows(ConfigException.class, () -> GenerationConfig.greedy(0, 2, 1));
        assertTrue(e.getMessage().contains("maxNewTokens=0"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> GenerationConfig.greedy(5, 2, 1).withSampling(0, 1, 1));
        assertTrue(e.getMessage().contains("topP=0.0"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> GenerationConfig.greedy(5, 2, 1).withMinNewTokens(6));
        assertTrue(e.getMessage().contains("minNewTokens=6"), e.getMessage());
        try (NDManager m = NDManager.newBaseManager()) {
            OptModel opt = OptModel.create(OptConfig.tiny(), m);
            var p = assertThrows(IllegalArgumentException.class,
                    () -> Generator.generate(opt, m.zeros(new Shape(1, 3, 7)), null, GenerationConfig.greedy(2, 2, 1)));
            assertTrue(p.getMessage().contains("[batch, positions, 32]"), p.getMessage());
            NDArray ids = m.zeros(new Shape(1, 3), DataType.INT64);
            assertEquals(new Shape(1, 3, 32), opt.embedTokens(ids).getShape());
        }
    }
}
