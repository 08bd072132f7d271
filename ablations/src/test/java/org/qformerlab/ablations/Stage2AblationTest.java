package org.qformerlab.ablations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;

/** Stage 2 as a study runs it: found by kind, stage-2 fields validated, a run trains stage 1 first when it must. */
class Stage2AblationTest {

    @TempDir
    Path dir;

    @Test
    void isFoundByKindAndStartsFromTheEmbeddedPreset() {
        Experiment e = Experiments.find("stage2");
        assertEquals(Configs.JSON.valueToTree(ExperimentConfig.embedded()), e.defaultConfig());
        assertTrue(e.defaultConfig().get("stage2").has("init"));
    }

    @Test
    void anInvalidStage2FieldIsRejectedByName() {
        ObjectNode c = Configs.JSON.valueToTree(ExperimentConfig.tiny());
        ((ObjectNode) c.get("stage2")).put("qaFraction", 1.5);
        var error = assertThrows(IllegalArgumentException.class, () -> new Stage2Ablation().validate(c));
        assertTrue(error.getMessage().contains("qaFraction"), error.getMessage());
        ObjectNode init = Configs.JSON.valueToTree(ExperimentConfig.tiny());
        ((ObjectNode) init.get("stage2")).put("init", "FROZEN");
        assertThrows(IllegalArgumentException.class, () -> new Stage2Ablation().validate(init));
        ObjectNode bridge = Configs.JSON.valueToTree(ExperimentConfig.tiny());
        ((ObjectNode) bridge.get("stage2").get("bridge")).put("type", "perceiver"); // init is STAGE1
        var noStage1 = assertThrows(IllegalArgumentException.class, () -> new Stage2Ablation().validate(bridge));
        assertTrue(noStage1.getMessage().contains("stage2.init=SCRATCH"), noStage1.getMessage());
    }

    @Test
    void aStudyCanVaryTheBridge() throws Exception {
        System.setProperty("qformerlab.cache", dir.resolve("cache").toString());
        try {
            ObjectNode c = Configs.JSON.valueToTree(ExperimentConfig.tiny());
            ((ObjectNode) c.get("stage2")).put("init", "SCRATCH");
            ((ObjectNode) c.get("stage2").get("bridge")).put("type", "attentional-pooling");
            Map<String, Double> m = new Stage2Ablation().run(c, dir.resolve("pooling"),
                    new PrintStream(new ByteArrayOutputStream(), true));
            assertTrue(m.get("trainable_params") > 0 && Double.isFinite(m.get("loss_lm_last")), m.toString());
            assertTrue(Files.readString(dir.resolve("pooling/results.json")).contains("attentional-pooling"));
        } finally {
            System.clearProperty("qformerlab.cache");
        }
    }

    @Test
    void aStudyCanVaryTheLanguageModelFamily() throws Exception {
        ObjectNode unknown = Configs.JSON.valueToTree(ExperimentConfig.tiny());
        ((ObjectNode) unknown.get("stage2").get("language")).put("family", "GPT");
        var error = assertThrows(IllegalArgumentException.class, () -> new Stage2Ablation().validate(unknown));
        assertTrue(error.getMessage().contains("family"), error.getMessage());
        System.setProperty("qformerlab.cache", dir.resolve("cache").toString());
        try {
            ObjectNode c = Configs.JSON.valueToTree(ExperimentConfig.tiny());
            ((ObjectNode) c.get("stage2")).put("init", "SCRATCH");
            ((ObjectNode) c.get("stage2").get("language")).put("family", "T5");
            Map<String, Double> m = new Stage2Ablation().run(c, dir.resolve("t5"),
                    new PrintStream(new ByteArrayOutputStream(), true));
            for (String k : new String[] {"cider", "bleu4", "vqa", "vqa_majority", "vqa_reading", "loss_lm_last"}) {
                assertTrue(m.containsKey(k) && Double.isFinite(m.get(k)), k + " in " + m);
            }
            var written = Configs.JSON.readTree(dir.resolve("t5/config.json").toFile());
            assertEquals("T5", written.get("stage2").get("language").get("family").asText());
        } finally {
            System.clearProperty("qformerlab.cache");
        }
    }

    @Test
    void aStage1InitRunTrainsStage1FirstAndReportsCaptionAndVqaMetrics() throws Exception {
        System.setProperty("qformerlab.cache", dir.resolve("cache").toString());
        try {
            ByteArrayOutputStream first = new ByteArrayOutputStream();
            Map<String, Double> m = new Stage2Ablation().run(Configs.JSON.valueToTree(ExperimentConfig.tiny()),
                    dir.resolve("a"), new PrintStream(first, true));
            Path shared = SharedStage1.entry(ExperimentConfig.tiny(), dir.resolve("cache")).folder();
            assertTrue(Files.isDirectory(shared.resolve("run/checkpoints")), "stage 1 trained in the shared entry");
            assertTrue(Files.exists(shared.resolve("config.json")), "and marked complete once it finished");
            assertTrue(first.toString().contains("training the shared stage-1 run in " + shared.resolve("run")),
                    first.toString());
            for (String k : new String[] {"cider", "bleu4", "attr_colour", "vqa", "vqa_majority", "loss_lm_last",
                    "trainable_params", "steps_per_s"}) {
                assertTrue(m.containsKey(k), k + " missing from " + m.keySet());
            }
            // the study reads exactly the numbers the stage-2 run wrote (counted by hand in Stage2ExperimentTest)
            var written = Configs.JSON.readTree(dir.resolve("a/results.json").toFile()).get("metrics");
            for (String k : new String[] {"cider", "bleu4", "vqa", "vqa_majority"}) {
                assertEquals(written.get(k).asDouble(), m.get(k), 0.0, k);
            }
            assertTrue(m.get("vqa_majority") > 0, "the majority answer is right on some tiny-world questions: " + m);

            // a variant that differs only in stage 2 (here the projection-only probe) reuses that stage 1
            ObjectNode probe = Configs.JSON.valueToTree(ExperimentConfig.tiny());
            ((ObjectNode) probe.get("stage2").get("bridge")).put("projectionOnly", true);
            ByteArrayOutputStream second = new ByteArrayOutputStream();
            Map<String, Double> p = new Stage2Ablation().run(probe, dir.resolve("b"), new PrintStream(second, true));
            assertFalse(second.toString().contains("training the shared stage-1 run"), second.toString());
            assertTrue(second.toString().contains("stage 2 starts from the stage-1 run in " + shared.resolve("run")),
                    second.toString());
            assertTrue(p.get("trainable_params") < m.get("trainable_params") / 5,
                    "the probe trains the projection only: " + p.get("trainable_params") + " of " + m.get("trainable_params"));

            // another seed is another stage 1
            ObjectNode seed = Configs.JSON.valueToTree(ExperimentConfig.tiny());
            ((ObjectNode) seed.get("train")).put("seed", 9091);
            ByteArrayOutputStream third = new ByteArrayOutputStream();
            new Stage2Ablation().run(seed, dir.resolve("c"), new PrintStream(third, true));
            assertTrue(third.toString().contains("training the shared stage-1 run"), third.toString());
            assertFalse(third.toString().contains(shared.toString()), third.toString());
        } finally {
            System.clearProperty("qformerlab.cache");
        }
    }
}
