package org.qformerlab.ablations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;

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

    /**
     * A finished run whose plan predates {@code train.perLossMoments} was trained with one pair of
     * moments, and one that predates {@code qformer.initializerRange} with BERT's 0.02: neither is
     * today's preset run, and each is run again.
     */
    @Test
    void aPlanFromBeforeAFieldIsTheRunWithTheOldBehaviour() {
        Stage1Ablation e = new Stage1Ablation();
        ObjectNode today = Configs.JSON.valueToTree(ExperimentConfig.embedded());
        assertTrue(today.get("train").get("perLossMoments").asBoolean(), "the preset keeps moments per loss");
        assertEquals(0.05, today.get("qformer").get("initializerRange").asDouble());
        Map<String, Object> before = ExperimentConfigAblation.BEFORE_THEIR_FIELD;
        assertEquals(java.util.Set.of("train.perLossMoments", "qformer.initializerRange"), before.keySet());
        before.forEach((path, value) -> {
            String[] p = path.split("\\.");
            ObjectNode older = today.deepCopy();
            ((ObjectNode) older.get(p[0])).remove(p[1]);
            assertEquals(Configs.JSON.valueToTree(value), e.normalize(older).get(p[0]).get(p[1]), path);
            assertNotEquals(e.normalize(today), e.normalize(older), path + ": the older run must not count as today's");
            ObjectNode explicit = today.deepCopy();
            ((ObjectNode) explicit.get(p[0])).set(p[1], Configs.JSON.valueToTree(value));
            assertEquals(e.normalize(explicit), e.normalize(older), path + ": it is the run with the old value");
        });
    }

    /** A study varies each branch's mask like any other field: a name, block rules, or a matrix. */
    @Test
    void aSpecVaryingEachBranchsMaskParsesIntoValidatedRuns() {
        StudySpec spec = StudySpec.parse("""
                name: masks
                question: Which mask per branch?
                kind: stage1
                metrics:
                  - {name: i2t_r1, better: higher}
                base:
                  train: {steps: 20}
                grid:
                  - path: objective.itgMask
                    values:
                      - MULTIMODAL_CAUSAL
                      - {name: text-only, rules: {queries->queries: all, queries->text: none, text->queries: none,
                                                  text->text: causal}}
                    labels: [grounded, text-only]
                  - path: objective.itcMask
                    values: [UNIMODAL, BIDIRECTIONAL]
                    labels: [uni-modal, leaky]
                """, "masks.yaml");
        Study study = Study.of(spec, new Stage1Ablation(), dir, "masks.yaml");
        java.util.List<RunPlan> plans = study.plans(false, dir);
        assertEquals(4, plans.size());
        java.util.Set<String> seen = new java.util.TreeSet<>();
        for (RunPlan plan : plans) {
            ExperimentConfig c = Configs.JSON.convertValue(plan.config(), ExperimentConfig.class);
            seen.add(c.objective().itgMask().label() + " / " + c.objective().itcMask().label());
            assertEquals(org.qformerlab.blip2.config.StandardMask.BIDIRECTIONAL, c.objective().itmMask());
        }
        assertEquals(java.util.Set.of("multimodal causal / uni-modal", "multimodal causal / bi-directional",
                "text-only / uni-modal", "text-only / bi-directional"), seen);

        StudySpec leaky = StudySpec.parse("""
                name: leak
                question: Does a leaky ITG help?
                kind: stage1
                metrics:
                  - {name: i2t_r1, better: higher}
                grid:
                  - path: objective.itgMask
                    values: [MULTIMODAL_CAUSAL, BIDIRECTIONAL]
                """, "leak.yaml");
        var refused = assertThrows(ConfigException.class,
                () -> Study.of(leaky, new Stage1Ablation(), dir, "leak.yaml").plans(false, dir));
        assertTrue(refused.getMessage().contains("objective.itgLeakyGeneration: true"), refused.getMessage());
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
                    "i2t_r1_true", "t2i_r1_true_itc", "comp_t2i_r1_true", "bind_attribute_swap_itm",
                    "bind_relation_swap_itg", "bind_count_change_itc", "bind_all_itm",
                    "trainable_params", "steps_per_s", "loss_total", "update_rms"}) {
                assertTrue(m.containsKey(k), k + " missing from " + m.keySet());
            }
            // the mean of the logged step sizes, each a fraction of the peak learning rate (AdamW's
            // normalised step is at most about 1 per weight, plus weight decay's lr * wd * |w|)
            double[] logged = org.qformerlab.blip2.train.MetricsLog.series(org.qformerlab.blip2.train.MetricsLog.read(
                    dir.resolve("metrics.jsonl")), "step", "update_rms")[1];
            assertTrue(logged.length > 0);
            assertEquals(java.util.Arrays.stream(logged).average().orElseThrow(), m.get("update_rms"), 1e-12);
            assertTrue(m.get("update_rms") > 0 && m.get("update_rms") < 2 * ExperimentConfig.tiny().train().learningRate(),
                    "update_rms " + m.get("update_rms"));
            // recall counts hits: of the tiny test split's 12 images and 48 captions, and of its compositional split
            for (String k : new String[] {"i2t_r1", "i2t_r1_itc", "i2t_r5", "i2t_r10"}) {
                double hits = m.get(k) * 12;
                assertEquals(Math.rint(hits), hits, 1e-9, k + " = " + m.get(k));
            }
            for (String k : new String[] {"t2i_r1", "t2i_r5", "t2i_r10"}) {
                double hits = m.get(k) * 48;
                assertEquals(Math.rint(hits), hits, 1e-9, k + " = " + m.get(k));
            }
            assertTrue(m.get("i2t_r1") <= m.get("i2t_r5") && m.get("i2t_r5") <= m.get("i2t_r10"), m.toString());
            assertTrue(m.get("i2t_r1_true") >= m.get("i2t_r1"), "every own hit is a true hit: " + m);
            assertTrue(m.containsKey("bind_all_itg"), m.keySet().toString());
            assertTrue(m.keySet().stream().noneMatch(k -> k.endsWith("_chance") || k.endsWith("_se")), m.keySet().toString());
            assertTrue(m.get("trainable_params") > 0);
        } finally {
            System.clearProperty("qformerlab.cache");
        }
    }
}
