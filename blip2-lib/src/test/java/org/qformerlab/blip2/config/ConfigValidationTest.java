package org.qformerlab.blip2.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A config that cannot work is refused on load with a message naming the field and the rule. */
class ConfigValidationTest {

    private static String messageOf(String yaml) {
        return assertThrows(ConfigException.class,
                () -> Configs.parse(yaml, QFormerConfig.class, QFormerConfig.tiny(), "test.yaml")).getMessage();
    }

    @Test
    void hiddenNotDivisibleByHeads() {
        String m = messageOf("hiddenSize: 30\nnumHeads: 4\n");
        assertTrue(m.contains("hiddenSize=30 must be divisible by numHeads=4"), m);
    }

    @Test
    void zeroQueries() {
        assertTrue(messageOf("numQueries: 0").contains("numQueries=0 must be at least 1"));
    }

    @Test
    void crossAttentionFrequencyBelowOne() {
        assertTrue(messageOf("crossAttentionFreq: 0").contains("crossAttentionFreq=0 must be >= 1"));
    }

    @Test
    void initializerRangeMustBeAStandardDeviation() {
        String m = messageOf("initializerRange: 0");
        assertTrue(m.contains("initializerRange=0.0 must be in (0, 1)") && m.contains("BERT: 0.02"), m);
        assertEquals(0.02, QFormerConfig.tiny().initializerRange(), "absent, it is BERT's");
    }

    @Test
    void unknownFieldIsNamed() {
        String m = messageOf("numQueris: 8");
        assertTrue(m.contains("unknown field 'numQueris'") && m.contains("numQueries"), m);
    }

    @Test
    void wrongTypeIsNamed() {
        String m = messageOf("numLayers: many");
        assertTrue(m.contains("test.yaml") && m.contains("field 'numLayers'"), m);
    }

    @Test
    void allLossWeightsZero() {
        var e = assertThrows(ConfigException.class,
                () -> Configs.parse("{itcWeight: 0, itmWeight: 0, itgWeight: 0}", ObjectiveConfig.class, ObjectiveConfig.blip2(), "x"));
        assertTrue(e.getMessage().contains("all three loss weights are 0"), e.getMessage());
    }

    @Test
    void fileOverlaysDefaultsAndRoundTrips(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("q.json");
        Files.writeString(f, "{\"numQueries\": 16, \"numLayers\": 3}");
        QFormerConfig c = Configs.read(f, QFormerConfig.class, QFormerConfig.embedded());
        assertEquals(16, c.numQueries());
        assertEquals(3, c.numLayers());
        assertEquals(QFormerConfig.embedded().hiddenSize(), c.hiddenSize());
        assertEquals(c, Configs.parse(Configs.toJson(c), QFormerConfig.class, QFormerConfig.tiny(), "json"));
    }

    @Test
    void missingFileIsNamed(@TempDir Path dir) {
        var e = assertThrows(ConfigException.class,
                () -> Configs.read(dir.resolve("nope.yaml"), QFormerConfig.class, QFormerConfig.tiny()));
        assertTrue(e.getMessage().contains("config file not found") && e.getMessage().contains("nope.yaml"));
    }
}
