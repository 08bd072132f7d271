package org.qformerlab.blip2.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.bridge.BridgeConfig;
import org.qformerlab.blip2.bridge.BridgeType;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.experiment.config.Stage2Config;

/** The {@code stage2.bridge} section: defaults, old files, paths, and errors that name the field. */
class BridgeConfigTest {

    private static ExperimentConfig scratchWith(Map<String, Object> bridge) {
        Map<String, Object> overrides = new LinkedHashMap<>();
        overrides.put("stage2.init", "SCRATCH");
        overrides.putAll(bridge);
        return ExperimentConfig.tiny().with(overrides);
    }

    @Test
    void theDefaultIsTheQFormerAndAConfigWithoutTheSectionStillLoads() throws Exception {
        assertEquals(BridgeConfig.qformer(), ExperimentConfig.embedded().stage2().bridge());
        // a config.json written before bridges were configurable: no stage2.bridge
        ObjectNode old = Configs.JSON.valueToTree(ExperimentConfig.tiny().with("stage2.numBeams", 2));
        ((ObjectNode) old.get("stage2")).remove("bridge");
        ExperimentConfig overDefaults = ExperimentConfig.parse(old.toString(), ExperimentConfig.embedded(), "config.json");
        assertEquals(BridgeType.QFORMER, overDefaults.stage2().bridge().type());
        assertEquals(2, overDefaults.stage2().numBeams());
        // ... and read bare, without defaults to lay it over
        Stage2Config bare = Configs.JSON.treeToValue(old.get("stage2"), Stage2Config.class);
        assertEquals(BridgeConfig.qformer(), bare.bridge());
    }

    @Test
    void typesAreWrittenByTheirIdsAndRoundTrip() {
        ExperimentConfig c = scratchWith(Map.of("stage2.bridge.type", "attentional-pooling",
                "stage2.bridge.numLatents", 6));
        assertEquals(BridgeType.ATTENTIONAL_POOLING, c.stage2().bridge().type());
        assertEquals(6, c.stage2().bridge().latents(c.qformer()));
        assertTrue(c.toJson().contains("\"type\" : \"attentional-pooling\""), c.toJson());
        assertEquals(c, ExperimentConfig.parse(c.toJson(), ExperimentConfig.embedded(), "round trip"));
        // the constant's name is understood too, in any case
        assertEquals(BridgeType.INSTRUCTION_QFORMER,
                ExperimentConfig.tiny().with("stage2.bridge.type", "INSTRUCTION_QFORMER").stage2().bridge().type());
        // null knobs take the Q-Former's
        BridgeConfig p = BridgeConfig.of(BridgeType.PERCEIVER);
        assertNull(p.numLatents());
        assertEquals(c.qformer().numQueries(), p.latents(c.qformer()));
        assertEquals(c.qformer().numHeads(), p.heads(c.qformer()));
        assertEquals(2, p.layers());
    }

    @Test
    void badValuesNameTheField() {
        var e = assertThrows(ConfigException.class, () -> scratchWith(Map.of("stage2.bridge.type", "resampler")));
        assertTrue(e.getMessage().contains("stage2.bridge.type") && e.getMessage().contains("perceiver, linear"),
                e.getMessage());
        e = assertThrows(ConfigException.class, () -> ExperimentConfig.parse(
                "stage2: {init: SCRATCH, bridge: {type: resampler}}", ExperimentConfig.tiny(), "study.yaml"));
        assertTrue(e.getMessage().contains("study.yaml") && e.getMessage().contains("stage2.bridge.type"),
                e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> scratchWith(Map.of("stage2.bridge.type", "perceiver", "stage2.bridge.numLatents", 0)));
        assertTrue(e.getMessage().contains("stage2.bridge.numLatents=0"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> scratchWith(Map.of("stage2.bridge.layers", 0)));
        assertTrue(e.getMessage().contains("stage2.bridge.layers=0"), e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> scratchWith(Map.of("stage2.bridge.type", "perceiver", "stage2.bridge.heads", 3)));
        assertTrue(e.getMessage().contains("stage2.bridge.heads=3") && e.getMessage().contains("qformer.hiddenSize=32"),
                e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> scratchWith(Map.of("stage2.bridge.type", "perceiver", "stage2.bridge.numLatents", 60)));
        assertTrue(e.getMessage().contains("stage2.language.maxPositions"), e.getMessage());
    }

    @Test
    void aBridgeWithoutAStage1CannotStartFromAStage1Checkpoint() {
        for (String type : new String[] {"perceiver", "linear", "attentional-pooling"}) {
            var e = assertThrows(ConfigException.class, () -> ExperimentConfig.tiny().with("stage2.bridge.type", type));
            assertTrue(e.getMessage().contains("init=STAGE1") && e.getMessage().contains("stage2.bridge.type=" + type)
                    && e.getMessage().contains("set stage2.init=SCRATCH"), e.getMessage());
        }
        // the Q-Former types may
        assertEquals(BridgeType.INSTRUCTION_QFORMER,
                ExperimentConfig.tiny().with("stage2.bridge.type", "instruction-qformer").stage2().bridge().type());
    }
}
