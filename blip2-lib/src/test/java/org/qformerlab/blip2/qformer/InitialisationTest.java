package org.qformerlab.blip2.qformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.nn.Seeds;

/**
 * A fresh Q-Former starts as LAVIS's: the queries, embeddings and BERT weights normal(0,
 * initializerRange), the three heads with PyTorch's nn.Linear initialisation (uniform in
 * +-1/sqrt(in), bias too), LayerNorms at 1 and 0.
 */
class InitialisationTest {

    /** Hidden 128 as the preset, so each weight has thousands of draws. */
    private static final QFormerConfig C = new QFormerConfig(
            128, 2, 4, 256, 8, 2, 48, 200, 16, 0.0, 0.0, 1e-12, 64, 0.07, 0, 1, 2, 0.05);

    @Test
    void bertWeightsFollowTheInitializerRangeAndHeadsKeepPyTorchsStart() {
        Seeds.set(11);
        try (NDManager m = NDManager.newBaseManager()) {
            Blip2QFormer model = Blip2QFormer.create(C, m);
            Map<String, ai.djl.nn.Parameter> p = model.namedParameters();
            for (String name : new String[] {"query_tokens", "Qformer.bert.embeddings.word_embeddings.weight",
                    "Qformer.bert.encoder.layer.0.attention.self.query.weight",
                    "Qformer.bert.encoder.layer.0.crossattention.self.key.weight",
                    "Qformer.bert.encoder.layer.1.output_query.dense.weight", "Qformer.cls.predictions.transform.dense.weight"}) {
                double std = std(p.get(name).getArray().toFloatArray());
                assertEquals(0.05, std, 0.005, name + " std");
            }
            double bound = 1 / Math.sqrt(128);
            for (String name : new String[] {"itm_head.weight", "itm_head.bias", "vision_proj.weight", "text_proj.bias"}) {
                float[] w = p.get(name).getArray().toFloatArray();
                double max = 0;
                for (float x : w) {
                    max = Math.max(max, Math.abs(x));
                }
                assertTrue(max <= bound, name + " within +-1/sqrt(128): " + max);
            }
            // uniform(-b, b) has std b/sqrt(3) = 0.051 at width 128, against BERT's 0.02
            assertEquals(bound / Math.sqrt(3), std(p.get("vision_proj.weight").getArray().toFloatArray()), 0.004);
            assertEquals(0.0, std(p.get("Qformer.bert.encoder.layer.0.attention.self.query.bias").getArray().toFloatArray()),
                    0.0, "BERT's biases start at 0");
            assertEquals(1.0, p.get("Qformer.bert.embeddings.LayerNorm.weight").getArray().toFloatArray()[3], 0.0);
        }
    }

    private static double std(float[] x) {
        double mean = 0;
        for (float v : x) {
            mean += v;
        }
        mean /= x.length;
        double var = 0;
        for (float v : x) {
            var += (v - mean) * (v - mean);
        }
        return Math.sqrt(var / x.length);
    }
}
