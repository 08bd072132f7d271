package org.qformerlab.blip2.experiment.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.config.ConfigPaths;
import org.qformerlab.blip2.config.StandardMask;
import org.qformerlab.blip2.data.Split;

/** Reading, validating and overriding the experiment config. */
class ExperimentConfigTest {

    @TempDir
    Path dir;

    @Test
    void yamlNamesOnlyWhatItChanges() throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, """
                qformer:
                  numQueries: 8
                objective:
                  itgWeight: 0.5
                  itcMask: BIDIRECTIONAL
                eval:
                  splits: [COMPOSITIONAL]
                """);
        ExperimentConfig c = ExperimentConfig.read(file, ExperimentConfig.embedded());
        ExperimentConfig d = ExperimentConfig.embedded();
        assertEquals(8, c.qformer().numQueries());
        assertEquals(d.qformer().hiddenSize(), c.qformer().hiddenSize());
        assertEquals(0.5, c.objective().itgWeight());
        assertEquals(StandardMask.BIDIRECTIONAL, c.objective().itcMask());
        assertEquals(List.of(Split.COMPOSITIONAL), c.eval().splits());
        assertEquals(d.train(), c.train());
        assertEquals(d.data(), c.data());
    }

    @Test
    void jsonRoundTripsEveryPreset() {
        for (ExperimentConfig c : List.of(ExperimentConfig.embedded(), ExperimentConfig.tiny())) {
            assertEquals(c, ExperimentConfig.parse(c.toJson(), ExperimentConfig.embedded(), "test"));
        }
    }

    @Test
    void unknownFieldsAndBadValuesAreNamed() {
        var unknown = assertThrows(ConfigException.class, () -> ExperimentConfig.parse(
                "qformer:\n  numQuerys: 8\n", ExperimentConfig.embedded(), "my.yaml"));
        assertTrue(unknown.getMessage().contains("my.yaml") && unknown.getMessage().contains("'numQuerys'"),
                unknown.getMessage());
        var section = assertThrows(ConfigException.class, () -> ExperimentConfig.parse(
                "trian:\n  steps: 8\n", ExperimentConfig.embedded(), "my.yaml"));
        assertTrue(section.getMessage().contains("'trian'"), section.getMessage());
        var rule = assertThrows(ConfigException.class, () -> ExperimentConfig.parse(
                "qformer:\n  numHeads: 5\n", ExperimentConfig.embedded(), "my.yaml"));
        assertTrue(rule.getMessage().contains("divisible by numHeads=5"), rule.getMessage());
        var cross = assertThrows(ConfigException.class, () -> ExperimentConfig.parse(
                "encoder:\n  type: PATCH_PIXELS\n  patchSize: 7\n", ExperimentConfig.embedded(), "my.yaml"));
        assertTrue(cross.getMessage().contains("patchSize=7 must divide data.imageSize=64"), cross.getMessage());
        var train = assertThrows(ConfigException.class, () -> ExperimentConfig.parse(
                "eval:\n  splits: [TRAIN]\n", ExperimentConfig.embedded(), "my.yaml"));
        assertTrue(train.getMessage().contains("must not contain TRAIN"), train.getMessage());
    }

    @Test
    void dottedPathsOverrideFieldsAndRevalidate() {
        ExperimentConfig c = ExperimentConfig.embedded().with(Map.of(
                "qformer.numQueries", 4, "objective.itgWeight", 0.0, "train.steps", 10, "data.trainCount", 100));
        assertEquals(4, c.qformer().numQueries());
        assertEquals(0.0, c.objective().itgWeight());
        assertEquals(10, c.train().steps());
        assertEquals(100, c.data().trainCount());
        assertEquals(4, ConfigPaths.get(c, "qformer.numQueries"));

        Map<String, String> text = new LinkedHashMap<>();
        text.put("objective.itcMask", "BIDIRECTIONAL");
        text.put("eval.splits", "[TEST]");
        text.put("objective.clampTemperature", "false");
        ExperimentConfig t = ConfigPaths.withText(c, text);
        assertEquals(StandardMask.BIDIRECTIONAL, t.objective().itcMask());
        assertEquals(List.of(Split.TEST), t.eval().splits());
        assertEquals(false, t.objective().clampTemperature());

        var unknown = assertThrows(ConfigException.class, () -> c.with("qformer.numQuery", 8));
        assertTrue(unknown.getMessage().contains("'qformer' has no field 'numQuery'")
                && unknown.getMessage().contains("numQueries"), unknown.getMessage());
        var top = assertThrows(ConfigException.class, () -> c.with("optim.lr", 1));
        assertTrue(top.getMessage().contains("ExperimentConfig has no field 'optim'"), top.getMessage());
        var leaf = assertThrows(ConfigException.class, () -> c.with("train.steps.max", 1));
        assertTrue(leaf.getMessage().contains("train.steps is a value"), leaf.getMessage());
        var invalid = assertThrows(ConfigException.class, () -> c.with("qformer.numQueries", 0));
        assertTrue(invalid.getMessage().contains("numQueries=0 must be at least 1"), invalid.getMessage());
    }

    /** How a command line's or a notebook's {@code --set} varies one branch's mask. */
    @Test
    void eachBranchsMaskIsOneSettablePath() {
        ExperimentConfig c = ExperimentConfig.tiny();
        Map<String, String> set = new LinkedHashMap<>();
        set.put("objective.itgMask", "{name: text-only, rules: {queries->queries: all, queries->text: none,"
                + " text->queries: none, text->text: causal}}");
        set.put("objective.itmMask", "UNIMODAL");
        ExperimentConfig custom = ConfigPaths.withText(c, set);
        assertEquals("text-only", custom.objective().itgMask().label());
        assertEquals(StandardMask.UNIMODAL, custom.objective().itmMask());
        assertEquals(StandardMask.UNIMODAL, custom.objective().itcMask(), "the other branches keep theirs");
        // and back: a name replaces a custom mask (a mask written as a mapping is a value, not a section)
        ExperimentConfig back = ConfigPaths.withText(custom, Map.of("objective.itgMask", "MULTIMODAL_CAUSAL"));
        assertEquals(c.objective(), back.objective().withItmMask(StandardMask.BIDIRECTIONAL));
        var section = assertThrows(ConfigException.class, () -> c.with("objective", "BLIP2"));
        assertTrue(section.getMessage().contains("'objective' is a section"), section.getMessage());
        // a matrix must fit the experiment's Q-Former: checked when the experiment is made
        var size = assertThrows(ConfigException.class, () -> ConfigPaths.withText(c,
                Map.of("objective.itmMask", "{matrix: [\"##\", \"##\"]}")));
        assertTrue(size.getMessage().contains("objective.itmMask is a 2x2 matrix but [queries ; text] has qformer.numQueries="
                + c.qformer().numQueries()), size.getMessage());
        var leak = assertThrows(ConfigException.class, () -> ConfigPaths.withText(c,
                Map.of("objective.itgMask", "BIDIRECTIONAL")));
        assertTrue(leak.getMessage().contains("objective.itgLeakyGeneration: true"), leak.getMessage());
    }

    @Test
    void everyLeafIsAddressable() {
        ExperimentConfig c = ExperimentConfig.tiny();
        Map<String, Object> leaves = ConfigPaths.leaves(c);
        assertTrue(leaves.containsKey("qformer.numQueries") && leaves.containsKey("objective.itgWeight")
                && leaves.containsKey("train.steps") && leaves.containsKey("data.trainCount")
                && leaves.containsKey("encoder.patchSize") && leaves.containsKey("eval.rerankK"), leaves.keySet().toString());
        // setting every leaf to its own value changes nothing
        assertEquals(c, c.with(leaves));
    }

    @Test
    void resolvedFillsInTheWidthsOfEncoderAndTokenizer() {
        ExperimentConfig r = ExperimentConfig.tiny().resolved(208, 77);
        assertEquals(208, r.qformer().visionWidth());
        assertEquals(77, r.qformer().vocabSize());
        assertEquals(ExperimentConfig.tiny().qformer().maxTextLength(), r.qformer().maxTextLength());
    }
}
