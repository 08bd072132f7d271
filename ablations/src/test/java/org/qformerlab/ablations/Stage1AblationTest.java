package org.qformerlab.ablations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.experiment.ExperimentConfig;

/** The stage-1 experiment as a study runs it: found by kind, validated, run, metrics named as specs use them. */
class Stage1AblationTest {

    @TempDir
    Path dir;

    @Test
    void isFoundByKindAndStartsFromTheEmbeddedPreset() {
        Experiment e = Experiments.find("stage1");
        assertEquals(Configs.JSON.valueToTree(ExperimentConfig.embedded()), e.defaultConfig());
    }

    @Test
    void anInvalidVariantIsRejectedNamingTheField() {
        ObjectNode c = Configs.JSON.valueToTree(ExperimentConfig.tiny());
        ((ObjectNode) c.get("qformer")).put("numQueries", 0);
        var error = assertThrows(IllegalArgumentException.class, () -> new Stage1Ablation().validate(c));
        assertTrue(error.getMessage().contains("numQueries"), error.getMessage());
    }

    @Test
    void moreQueriesOrMoreStepsCostMore() {
        Stage1Ablation e = new Stage1Ablation();
        ObjectNode few = Configs.JSON.valueToTree(ExperimentConfig.embedded());
        ObjectNode many = few.deepCopy();
        ((ObjectNode) many.get("qformer")).put("numQueries", 32);
        ObjectNode longer = few.deepCopy();
        ((ObjectNode) longer.get("train")).put("steps", 2 * few.get("train").get("steps").asInt());
        assertTrue(e.relativeCost(many) > e.relativeCost(few));
        assertEquals(2 * e.relativeCost(few), e.relativeCost(longer), 1e-6 * e.relativeCost(few));
    }

    @Test
    void aRunReportsRetrievalOnBothSplitsParametersAndLosses() throws Exception {
        System.setProperty("qformerlab.cache", dir.resolve("cache").toString());
        try {
            Map<String, Double> m = new Stage1Ablation().run(Configs.JSON.valueToTree(ExperimentConfig.tiny()),
                    dir, new PrintStream(new ByteArrayOutputStream(), true));
            for (String k : new String[] {"i2t_r1", "t2i_r1", "i2t_r1_itc", "comp_i2t_r1", "comp_t2i_r5",
                    "trainable_params", "steps_per_s", "loss_total"}) {
                assertTrue(m.containsKey(k), k + " missing from " + m.keySet());
            }
            assertTrue(m.get("i2t_r1") >= 0 && m.get("i2t_r1") <= 1);
            assertTrue(m.get("trainable_params") > 0);
        } finally {
            System.clearProperty("qformerlab.cache");
        }
    }
}
