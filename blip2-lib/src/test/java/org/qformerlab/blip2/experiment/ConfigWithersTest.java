package org.qformerlab.blip2.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.bridge.Blip2Config;
import org.qformerlab.blip2.bridge.PerceiverResampler;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.config.StandardMask;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.qformer.Attention;
import org.qformerlab.blip2.train.LearningRateSchedule;
import org.qformerlab.blip2.vision.VisionConfig;

/**
 * Every config record can be changed field by field by name, in a notebook as in code: a wither
 * {@code withField(value)} for every field and, for the records with many, a builder whose setters
 * are named after the fields. Checked by reflection, so a field added later without its wither fails here.
 */
class ConfigWithersTest {

    private static List<Record> configs() {
        ExperimentConfig e = ExperimentConfig.embedded();
        QFormerConfig q = e.qformer();
        List<Record> all = new ArrayList<>(List.of(e, e.data(), e.encoder(), q, e.objective(), e.train(), e.eval(),
                e.stage2(), e.stage2().bridge(), new LearningRateSchedule(1e-3, 10, 100, 0.1),
                Attention.Config.crossAttention(q), PerceiverResampler.Config.of(q, 8, 2, 4, 64, "opt_proj")));
        VisionConfig vision = VisionConfig.tiny();
        all.add(new Blip2Config(vision, q.withVisionWidth(vision.width()), org.qformerlab.blip2.llm.OptConfig.tiny(), null));
        return all;
    }

    private static String cap(String name) {
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    @Test
    void everyFieldOfEveryConfigHasAWitherThatChangesOnlyIt() throws Exception {
        for (Record config : configs()) {
            Class<?> type = config.getClass();
            for (RecordComponent c : type.getRecordComponents()) {
                Method wither = type.getMethod("with" + cap(c.getName()), c.getType());
                Object value = c.getAccessor().invoke(config);
                assertEquals(config, wither.invoke(config, value),
                        type.getSimpleName() + ".with" + cap(c.getName()) + " of the same value must give the same config");
            }
        }
    }

    @Test
    void everyRecordWithABuilderNamesEveryFieldInIt() throws Exception {
        int withBuilder = 0;
        for (Record config : configs()) {
            Class<?> type = config.getClass();
            Method toBuilder;
            try {
                toBuilder = type.getMethod("toBuilder");
            } catch (NoSuchMethodException small) {
                continue; // the small nested configs have withers only
            }
            withBuilder++;
            Object builder = toBuilder.invoke(config);
            for (RecordComponent c : type.getRecordComponents()) {
                Method setter = builder.getClass().getMethod(c.getName(), c.getType());
                assertNotNull(setter.invoke(builder, c.getAccessor().invoke(config)));
            }
            assertEquals(config, builder.getClass().getMethod("build").invoke(builder), type.getSimpleName());
        }
        assertTrue(withBuilder >= 10, "builders found on " + withBuilder + " records");
    }

    /** Notebook 01's cell: four layers and a cross-attention frequency, named instead of 17 positions. */
    @Test
    void aBuilderChangesFieldsThatMustAgreeTogetherAndValidatesOnce() {
        QFormerConfig tiny = QFormerConfig.tiny();
        QFormerConfig c = tiny.toBuilder().numLayers(4).crossAttentionFreq(4).build();
        assertEquals(4, c.numLayers());
        assertEquals(4, c.crossAttentionFreq());
        assertEquals(tiny.withNumLayers(4).withCrossAttentionFreq(4), c);
        // hidden 30 with 5 heads: one wither at a time would pass through 30 with tiny's 4 heads, which is
        // refused; the builder changes both and validates once
        QFormerConfig wide = tiny.toBuilder().hiddenSize(30).numHeads(5).build();
        assertEquals(6, wide.headSize());
        var e = assertThrows(ConfigException.class, () -> tiny.withHiddenSize(30));
        assertTrue(e.getMessage().contains("hiddenSize=30 must be divisible by numHeads=4"), e.getMessage());
        assertEquals(StandardMask.BIDIRECTIONAL,
                ExperimentConfig.tiny().toBuilder().objective(ExperimentConfig.tiny().objective()
                        .withItcMask(StandardMask.BIDIRECTIONAL)).build().objective().itcMask());
        var heads = assertThrows(ConfigException.class, () -> Attention.Config.selfAttention(tiny).withHeads(5));
        assertTrue(heads.getMessage().contains("heads=5 must divide hidden=32"), heads.getMessage());
    }
}
