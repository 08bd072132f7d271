package org.qformerlab.blip2.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.data.BatchCollator;
import org.qformerlab.blip2.data.BindingFoils;
import org.qformerlab.blip2.data.FoilType;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.data.ShapesWorldConfig;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.data.TextTensors;
import org.qformerlab.blip2.data.WordTokenizer;
import org.qformerlab.blip2.eval.PairScorer.Scorer;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.objectives.Itc;
import org.qformerlab.blip2.objectives.Itg;
import org.qformerlab.blip2.qformer.Blip2QFormer;

/** The binding benchmark's accuracy against hand counts, its chance level, and its scorers on a tiny model. */
class BindingTest {

    private static final FoilType A = FoilType.ATTRIBUTE_SWAP;
    private static final FoilType C = FoilType.COUNT_CHANGE;

    /** {@code [scorer][test]}: the same row for every scorer but ITG, which is given {@code itg}. */
    private static float[][] scores(float[] itcItm, float[] itg) {
        return new float[][] {itcItm, itcItm, itg};
    }

    @Test
    void accuracyCountsWinsAndHalfTiesPerTypeAndOverAll() {
        List<FoilType> types = List.of(A, A, A, C);
        // ITC/ITM: win, tie, loss on the swaps; win on the count. ITG: NaN caption loses, NaN foil wins
        float[][] caption = scores(new float[] {2, 1, 0, 5}, new float[] {Float.NaN, 1, -1, -2});
        float[][] foil = scores(new float[] {1, 1, 3, 4}, new float[] {0, Float.NaN, -2, -1});
        Binding b = Binding.of(types, caption, foil);
        assertEquals(3, b.rows().size());
        Binding.Row swap = b.row(A);
        assertEquals(3, swap.count());
        assertEquals(1.5 / 3, swap.accuracy().get(Scorer.ITC), 1e-12);
        assertEquals(1.5 / 3, swap.accuracy().get(Scorer.ITM), 1e-12);
        assertEquals(2 / 3.0, swap.accuracy().get(Scorer.ITG), 1e-12);
        assertEquals(1.0, b.row(C).accuracy().get(Scorer.ITC), 1e-12);
        assertEquals(0.0, b.row(C).accuracy().get(Scorer.ITG), 1e-12);
        Binding.Row all = b.row(null);
        assertEquals(4, all.count());
        assertEquals(2.5 / 4, all.accuracy().get(Scorer.ITC), 1e-12);
        assertEquals(2.0 / 4, all.accuracy().get(Scorer.ITG), 1e-12);
        // a bag of words ties on swaps (1/2) and may be right on counts (1)
        assertEquals(0.5, swap.bagOfWordsCeiling(), 1e-12);
        assertEquals(1.0, b.row(C).bagOfWordsCeiling(), 1e-12);
        assertEquals((3 * 0.5 + 1) / 4, all.bagOfWordsCeiling(), 1e-12);
        assertEquals(Math.sqrt(0.5 * 0.5 / 3), swap.standardError(Scorer.ITC), 1e-12);
        Map<String, Double> m = b.metrics("bind_");
        assertEquals(2 / 3.0, m.get("bind_attribute_swap_itg"), 1e-12);
        assertEquals(2.5 / 4, m.get("bind_all_itc"), 1e-12);
        assertEquals(3.0, m.get("bind_attribute_swap_n"), 1e-12);
        assertTrue(m.containsKey("bind_count_change_itm_se"), m.keySet().toString());
    }

    /**
     * Chance: a scorer that ignores the image and reads a caption as a bag of words (a weight per
     * word, summed) ties on every swap, 0.5 exactly; a random scorer is within three standard errors
     * of 0.5 on every type; a constant one is 0.5 exactly.
     */
    @Test
    void theChanceLevelIsOneHalf() {
        List<Sample> test = ShapesWorld.generate(ShapesWorldConfig.defaults().withCounts(0, 0, 1500, 0)).split(Split.TEST);
        List<BindingFoils.Foil> foils = BindingFoils.of(test, 3);
        int n = foils.size();
        Map<String, Float> weights = new HashMap<>();
        SplittableRandom rng = new SplittableRandom(11);
        float[] bagCaption = new float[n];
        float[] bagFoil = new float[n];
        float[] randomCaption = new float[n];
        float[] randomFoil = new float[n];
        for (int t = 0; t < n; t++) {
            bagCaption[t] = bag(foils.get(t).caption(), weights, rng);
            bagFoil[t] = bag(foils.get(t).foil(), weights, rng);
            randomCaption[t] = (float) rng.nextDouble();
            randomFoil[t] = (float) rng.nextDouble();
        }
        List<FoilType> types = foils.stream().map(BindingFoils.Foil::type).toList();
        float[] constant = new float[n];
        Binding b = Binding.of(types, new float[][] {bagCaption, randomCaption, constant},
                new float[][] {bagFoil, randomFoil, constant});
        for (Binding.Row r : b.rows()) {
            if (r.type() != null && r.type().sameWords()) {
                assertEquals(0.5, r.accuracy().get(Scorer.ITC), 1e-12, "bag of words on " + r.type());
            }
            double random = r.accuracy().get(Scorer.ITM);
            assertTrue(Math.abs(random - Binding.CHANCE) < 3 * Math.sqrt(0.25 / r.count()),
                    r.key() + ": random scorer at " + random + " over " + r.count());
            assertEquals(Binding.CHANCE, r.accuracy().get(Scorer.ITG), 1e-12);
        }
    }

    private static float bag(String text, Map<String, Float> weights, SplittableRandom rng) {
        float sum = 0;
        for (String w : WordTokenizer.tokenize(text)) {
            sum += weights.computeIfAbsent(w, x -> (float) rng.nextInt(1000)); // whole numbers: sums exact in any order
        }
        return sum;
    }

    /**
     * The three scorers on a tiny random Q-Former over the foils of a small test split: one score per
     * pair and scorer, ITC a cosine, ITM a probability, ITG the negative of ITG's unsmoothed loss
     * times the tokens it predicts; accuracy per type in [0, 1] for every type present.
     */
    @Test
    void scorersOnATinyModelGivePerTypeAccuracies() {
        List<Sample> test = ShapesWorld.generate(ShapesWorldConfig.defaults().withCounts(0, 0, 10, 0)).split(Split.TEST);
        List<BindingFoils.Foil> foils = BindingFoils.of(test, 1);
        List<String> texts = new ArrayList<>();
        foils.forEach(f -> {
            texts.add(f.caption());
            texts.add(f.foil());
        });
        WordTokenizer tokenizer = WordTokenizer.fromTexts(texts);
        QFormerConfig config = QFormerConfig.tiny();
        assertTrue(tokenizer.vocabSize() <= config.vocabSize(), "tiny vocab " + config.vocabSize());
        try (NDManager m = NDManager.newBaseManager()) {
            Seeds.set(5);
            Blip2QFormer model = Blip2QFormer.create(config, m);
            NDArray images = m.randomNormal(new Shape(test.size(), 5, config.visionWidth()));
            long[] rows = foils.stream().mapToLong(BindingFoils.Foil::imageIndex).toArray();
            BatchCollator collator = new BatchCollator(tokenizer, config.maxTextLength(), true);
            TextTensors captions = collator.texts(m, foils.stream().map(BindingFoils.Foil::caption).toList());
            TextTensors foiled = collator.texts(m, foils.stream().map(BindingFoils.Foil::foil).toList());
            PairScorer scorer = new PairScorer(7);
            float[][] c = scorer.score(m, model, images, rows, captions.ids(), captions.mask());
            float[][] f = scorer.score(m, model, images, rows, foiled.ids(), foiled.mask());
            assertEquals(Scorer.values().length, c.length);
            for (int p = 0; p < foils.size(); p++) {
                assertTrue(c[Scorer.ITC.ordinal()][p] >= -1.0001 && c[Scorer.ITC.ordinal()][p] <= 1.0001);
                assertTrue(c[Scorer.ITM.ordinal()][p] > 0 && c[Scorer.ITM.ordinal()][p] < 1);
                assertTrue(f[Scorer.ITG.ordinal()][p] < 0);
            }
            // pair 0 alone: ITC by the ITC head, ITG as the ITG loss reads it
            try (NDManager s = m.newSubManager()) {
                NDArray img = images.get(rows[0] + ":" + (rows[0] + 1));
                NDArray ids = captions.ids().get("0:1");
                NDArray mask = captions.mask().get("0:1");
                Itc.ImageEmbedding e = Itc.embedImage(model, s, model.encoder().encodeImage(model.normalizeImage(img)), 1, false);
                float itc = e.feats().mul(Itc.textFeatures(model, Itc.encodeText(model, ids, mask, false)).expandDims(1))
                        .sum(new int[] {2}).max().getFloat();
                assertEquals(itc, c[Scorer.ITC.ordinal()][0], 1e-5);
                float loss = Itg.forward(model, e.queryPass(), ids, mask, 0, false).loss().getFloat();
                long predicted = mask.sum().getLong() - 1; // every real token after [DEC]
                assertEquals(-loss * predicted, c[Scorer.ITG.ordinal()][0], 1e-3);
            }
            Binding b = Binding.of(foils.stream().map(BindingFoils.Foil::type).toList(), c, f);
            assertEquals(foils.size(), b.row(null).count());
            for (FoilType type : FoilType.values()) {
                Binding.Row r = b.row(type);
                assertEquals(foils.stream().filter(x -> x.type() == type).count(), r.count(), type.toString());
                for (Scorer sc : Scorer.values()) {
                    double a = r.accuracy().get(sc);
                    assertTrue(a >= 0 && a <= 1, type + " " + sc + " " + a);
                }
            }
            var e = assertThrows(IllegalArgumentException.class,
                    () -> scorer.score(m, model, images, new long[] {0}, captions.ids(), captions.mask()));
            assertTrue(e.getMessage().contains("1 pairs but " + foils.size() + " texts"), e.getMessage());
        }
    }
}
