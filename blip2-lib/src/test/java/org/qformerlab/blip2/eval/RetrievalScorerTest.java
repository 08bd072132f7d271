package org.qformerlab.blip2.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.checkpoint.NameMap;
import org.qformerlab.blip2.checkpoint.Safetensors;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.testing.Fixtures;

/** Retrieval scores checked against LAVIS's numbers on every stage-1 fixture. */
class RetrievalScorerTest {

    @Test
    void itcAndItmScoresMatchTheReference() {
        for (Path dir : Fixtures.stage1()) {
            try (NDManager m = NDManager.newBaseManager()) {
                Blip2QFormer model = Blip2QFormer.create(Fixtures.qformerConfig(Fixtures.config(dir)), m);
                Weights.load(model, dir.resolve("model.safetensors"), NameMap.LAVIS, Weights.Policy.strict());
                Map<String, NDArray> in = Safetensors.read(m, dir.resolve("inputs.safetensors"));
                Map<String, NDArray> expected = Safetensors.read(m, dir.resolve("expected.safetensors"));
                int b = (int) in.get("text_ids").getShape().get(0);
                float temp = model.namedParameters().get("temp").getArray().getFloat();

                RetrievalScorer.Scores s = new RetrievalScorer(b, 3).score(m, model, in.get("image_embeds"),
                        in.get("text_ids"), in.get("text_mask"));

                float[] simI2t = expected.get("sim_i2t").toFloatArray();
                float[] itmLogits = expected.get("itm_logits").toFloatArray(); // first B rows: positive pairs
                for (int i = 0; i < b; i++) {
                    for (int t = 0; t < b; t++) {
                        assertEquals(simI2t[i * b + t] * temp, s.itc()[i][t], 1e-4, dir + " itc[" + i + "][" + t + "]");
                    }
                    float positive = itmLogits[2 * i + 1] + s.itc()[i][i];
                    assertEquals(positive, s.imageToTextReranked()[i][i], 2e-4, dir + " i2t re-ranked positive " + i);
                    assertEquals(positive, s.textToImageReranked()[i][i], 2e-4, dir + " t2i re-ranked positive " + i);
                }
            }
        }
    }

    @Test
    void onlyTheTopKAreRerankedAndTheRestRankBehind() {
        try (NDManager m = NDManager.newBaseManager()) {
            Blip2QFormer model = firstFixtureModel(m);
            Map<String, NDArray> in = firstFixtureInputs(m);
            RetrievalScorer.Scores s = new RetrievalScorer(1, 8).score(m, model, in.get("image_embeds"),
                    in.get("text_ids"), in.get("text_mask"));
            for (int i = 0; i < s.itc().length; i++) {
                int best = RetrievalScorer.topK(s.itc()[i], 1)[0];
                for (int t = 0; t < s.itc()[i].length; t++) {
                    assertEquals(t == best, Float.isFinite(s.imageToTextReranked()[i][t]), "row " + i + " col " + t);
                }
            }
        }
    }

    /**
     * A pair both directions re-rank is scored once and the same score serves both: with k as large
     * as the gallery, the two re-ranked matrices are equal, and every entry is ITM + ITC computed
     * pair by pair (a batch of one pair, so no sharing of image keys/values at all).
     */
    @Test
    void sharedPairsGetOneScoreEqualToScoringThemAlone() {
        try (NDManager m = NDManager.newBaseManager()) {
            Blip2QFormer model = firstFixtureModel(m);
            Map<String, NDArray> in = firstFixtureInputs(m);
            int b = (int) in.get("text_ids").getShape().get(0);
            RetrievalScorer.Scores all = new RetrievalScorer(b, 5).score(m, model, in.get("image_embeds"),
                    in.get("text_ids"), in.get("text_mask"));
            RetrievalScorer.Scores single = new RetrievalScorer(b, 1).score(m, model, in.get("image_embeds"),
                    in.get("text_ids"), in.get("text_mask"));
            for (int i = 0; i < b; i++) {
                assertArrayEquals(all.imageToTextReranked()[i], all.textToImageReranked()[i], "row " + i);
                for (int t = 0; t < b; t++) {
                    assertTrue(Float.isFinite(all.imageToTextReranked()[i][t]), "pair " + i + "," + t + " was not scored");
                    assertEquals(single.imageToTextReranked()[i][t], all.imageToTextReranked()[i][t], 1e-5,
                            "pair " + i + "," + t);
                }
            }
        }
    }

    /** Extra padding columns change no score: re-ranking cuts each batch to its longest text. */
    @Test
    void extraPaddingChangesNoScore() {
        try (NDManager m = NDManager.newBaseManager()) {
            Blip2QFormer model = firstFixtureModel(m);
            Map<String, NDArray> in = firstFixtureInputs(m);
            NDArray ids = in.get("text_ids");
            NDArray mask = in.get("text_mask");
            int b = (int) ids.getShape().get(0);
            NDArray padIds = m.zeros(new ai.djl.ndarray.types.Shape(b, 6), ids.getDataType());
            NDArray padMask = m.zeros(new ai.djl.ndarray.types.Shape(b, 6), mask.getDataType());
            RetrievalScorer scorer = new RetrievalScorer(3, 4);
            RetrievalScorer.Scores plain = scorer.score(m, model, in.get("image_embeds"), ids, mask);
            RetrievalScorer.Scores padded = scorer.score(m, model, in.get("image_embeds"), ids.concat(padIds, 1),
                    mask.concat(padMask, 1));
            for (int i = 0; i < b; i++) {
                assertArrayEquals(plain.imageToTextReranked()[i], padded.imageToTextReranked()[i], 1e-5f, "i2t row " + i);
                assertArrayEquals(plain.textToImageReranked()[i], padded.textToImageReranked()[i], 1e-5f, "t2i row " + i);
            }
        }
    }

    /** The first stage-1 fixture's Q-Former, LAVIS weights loaded. */
    private static Blip2QFormer firstFixtureModel(NDManager m) {
        Path dir = Fixtures.stage1().get(0);
        Blip2QFormer model = Blip2QFormer.create(Fixtures.qformerConfig(Fixtures.config(dir)), m);
        Weights.load(model, dir.resolve("model.safetensors"), NameMap.LAVIS, Weights.Policy.strict());
        return model;
    }

    /** The first stage-1 fixture's inputs: image_embeds, text_ids, text_mask. */
    private static Map<String, NDArray> firstFixtureInputs(NDManager m) {
        return Safetensors.read(m, Fixtures.stage1().get(0).resolve("inputs.safetensors"));
    }

    @Test
    void aQuerySubsetIsRerankedExactlyAsInTheWholeRunAndTheOtherQueriesKeepNoItmScore() {
        try (NDManager m = NDManager.newBaseManager()) {
            Blip2QFormer model = firstFixtureModel(m);
            Map<String, NDArray> in = firstFixtureInputs(m);
            int b = (int) in.get("text_ids").getShape().get(0);
            RetrievalScorer.Scores all = new RetrievalScorer(2, 4).score(m, model, in.get("image_embeds"),
                    in.get("text_ids"), in.get("text_mask"));
            RetrievalScorer.Scores some = new RetrievalScorer(2, 4, 1, 1).score(m, model, in.get("image_embeds"),
                    in.get("text_ids"), in.get("text_mask"));
            assertArrayEquals(all.imageToTextReranked()[0], some.imageToTextReranked()[0], 1e-5f, "image query 0");
            for (int i = 0; i < b; i++) {
                assertEquals(all.textToImageReranked()[i][0], some.textToImageReranked()[i][0], 1e-5f, "text query 0");
                for (int t = 0; t < b; t++) {
                    if (i > 0) {
                        assertEquals(Float.NEGATIVE_INFINITY, some.imageToTextReranked()[i][t], "image query " + i);
                    }
                    if (t > 0) {
                        assertEquals(Float.NEGATIVE_INFINITY, some.textToImageReranked()[i][t], "text query " + t);
                    }
                }
            }
        }
    }

    @Test
    void itmScoresUnderTheMaskTheModelWasTrainedWith() {
        try (NDManager m = NDManager.newBaseManager()) {
            Blip2QFormer model = firstFixtureModel(m);
            Map<String, NDArray> in = firstFixtureInputs(m);
            int b = (int) in.get("text_ids").getShape().get(0);
            // under the uni-modal mask the queries never see the text, so ITM's match logit (itm_head
            // averaged over the queries) is the same for every text of an image: re-ranked minus ITC is
            // constant along each row; under BLIP-2's bi-directional mask it is not
            RetrievalScorer.Scores blind = new RetrievalScorer(b, 4, b, b,
                    org.qformerlab.blip2.config.StandardMask.UNIMODAL).score(m, model, in.get("image_embeds"),
                    in.get("text_ids"), in.get("text_mask"));
            RetrievalScorer.Scores seeing = new RetrievalScorer(b, 4).score(m, model, in.get("image_embeds"),
                    in.get("text_ids"), in.get("text_mask"));
            double spreadBlind = 0;
            double spreadSeeing = 0;
            for (int i = 0; i < b; i++) {
                float blind0 = blind.imageToTextReranked()[i][0] - blind.itc()[i][0];
                float seeing0 = seeing.imageToTextReranked()[i][0] - seeing.itc()[i][0];
                for (int t = 1; t < b; t++) {
                    spreadBlind = Math.max(spreadBlind, Math.abs(blind.imageToTextReranked()[i][t] - blind.itc()[i][t] - blind0));
                    spreadSeeing = Math.max(spreadSeeing, Math.abs(seeing.imageToTextReranked()[i][t] - seeing.itc()[i][t] - seeing0));
                }
            }
            assertEquals(0, spreadBlind, 1e-4, "a matcher that cannot see the text scores every text alike");
            assertTrue(spreadSeeing > 1e-3, "BLIP-2's ITM reads the text: " + spreadSeeing);
        }
    }

    @Test
    void theWorkIsCountedBatchByBatchAndAddsUpToTheHandCount() {
        // by hand for 4 images and 4 texts, re-ranking the top 2: 8 embeddings, 1 unit of 16 similarities,
        // 2 candidates for each of the 8 queries; without ITM only the first two
        assertEquals(8 + 1 + 16, new RetrievalScorer(2, 4).work(4, 4));
        assertEquals(8 + 1, new RetrievalScorer(0, 4).work(4, 4));
        assertEquals(8 + 1 + 2 + 2, new RetrievalScorer(2, 4, 1, 1).work(4, 4), "one query each way");
        assertEquals(2800 + 11200 + 6272 + 10 * 300 + 10 * 1200, new RetrievalScorer(10, 128, 300, 1200).work(2800, 11200),
                "the preset's test split: 31,360,000 similarities are 6,272 units");
        try (NDManager m = NDManager.newBaseManager()) {
            Blip2QFormer model = firstFixtureModel(m);
            Map<String, NDArray> in = firstFixtureInputs(m);
            int b = (int) in.get("text_ids").getShape().get(0);
            for (RetrievalScorer scorer : List.of(new RetrievalScorer(2, 1), new RetrievalScorer(b, 3),
                    new RetrievalScorer(2, 2, 1, 1), new RetrievalScorer(0, 2))) {
                List<Long> told = new ArrayList<>();
                RetrievalScorer.Scores counted = scorer.score(m, model, in.get("image_embeds"), in.get("text_ids"),
                        in.get("text_mask"), told::add);
                assertEquals(scorer.work(b, b), told.stream().mapToLong(Long::longValue).sum(), "units told: " + told);
                assertTrue(told.size() >= 3, "told batch by batch: " + told);
                RetrievalScorer.Scores plain = scorer.score(m, model, in.get("image_embeds"), in.get("text_ids"),
                        in.get("text_mask"));
                for (int i = 0; i < b; i++) {
                    assertArrayEquals(plain.imageToTextReranked()[i], counted.imageToTextReranked()[i], "row " + i);
                }
            }
        }
    }

    @Test
    void topKBreaksTiesByIndex() {
        assertArrayEquals(new int[] {1, 3, 0}, RetrievalScorer.topK(new float[] {0.5f, 0.9f, 0.1f, 0.9f}, 3));
    }
}
