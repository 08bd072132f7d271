package org.qformerlab.blip2.experiment;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.bridge.Blip2Config;
import org.qformerlab.blip2.bridge.BridgeConfig;
import org.qformerlab.blip2.bridge.PerceiverResampler;
import org.qformerlab.blip2.config.BlockMask;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.config.MatrixMask;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.config.StandardMask;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.llm.GenerationConfig;
import org.qformerlab.blip2.llm.LanguagePretrainConfig;
import org.qformerlab.blip2.llm.OptConfig;
import org.qformerlab.blip2.llm.T5Config;
import org.qformerlab.blip2.qformer.Attention;
import org.qformerlab.blip2.train.LearningRateSchedule;
import org.qformerlab.blip2.vision.AttributePretrainConfig;
import org.qformerlab.blip2.vision.VisionConfig;
import org.qformerlab.blip2.vision.VisionPretrainConfig;

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
        all.add(new Blip2Config(vision, q.withVisionWidth(vision.width()), OptConfig.tiny(), null));
        // the frozen models' shapes, their pretraining recipes and decoding (llm/ and vision/)
        all.addAll(List.of(e.encoder().vit(), e.encoder().pretraining(), e.encoder().supervised(), e.stage2().language(),
                OptConfig.tiny(), T5Config.tiny(), GenerationConfig.lavisCaptioning(2, 1),
                GenerationConfig.greedy(8, 2, 1).withSampling(0.9, 0.7, 5),
                new BlockMask("text-only generation", BlockMask.Block.ALL, BlockMask.Block.NONE, BlockMask.Block.NONE,
                        BlockMask.Block.CAUSAL),
                new MatrixMask("first word", List.of("##|#..", "##|#..", "##|###", "##|###", "##|###"))));
        return all;
    }

    /**
     * Configs with other values: a field whose new value is not an obvious step from the old one (a
     * nested record, a list, a name from a short list) takes one of these, of its type or, for a config
     * of the same type, its value of that field.
     */
    private static List<Object> alternatives() {
        ExperimentConfig t = ExperimentConfig.tiny();
        ExperimentConfig e = ExperimentConfig.embedded();
        QFormerConfig q = QFormerConfig.tiny().withVisionWidth(VisionConfig.tiny().width());
        return List.of(t, t.data(), e.data().withSeed(e.data().seed() + 1), t.encoder(), t.qformer(),
                e.objective().withItgWeight(0.5), t.train(), t.eval(), e.eval().withSplits(List.of(Split.TEST)),
                t.stage2(), BridgeConfig.qformer().withLayers(3), OptConfig.opt2_7b(),
                T5Config.tiny().withDenseActFn(T5Config.GELU), VisionConfig.supervised(),
                VisionConfig.tiny().withImageSize(64), q.withNumLayers(3),
                new Blip2Config(VisionConfig.tiny(), q, null, T5Config.tiny()),
                VisionPretrainConfig.tiny(), AttributePretrainConfig.tiny(), LanguagePretrainConfig.tiny(),
                new MatrixMask("all", List.of("###", "###", "###")));
    }

    /** Values other than {@code value} to try for a field of type {@code type}, the likeliest valid first. */
    private static Set<Object> otherValues(Class<?> type, Object value, List<Object> fromAlternatives) {
        Set<Object> out = new LinkedHashSet<>(fromAlternatives);
        if (type.isInterface()) {
            out.addAll(List.of(StandardMask.values())); // MaskSpec: BLIP-2's masks by name
        }
        if (type == boolean.class) {
            out.add(!(Boolean) value);
        } else if (type == int.class) {
            int v = (Integer) value;
            out.addAll(List.of(v * 2, v + 1, v - 1, v / 2, 1, 2, 3));
        } else if (type == long.class) {
            long v = (Long) value;
            out.addAll(List.of(v + 1, v * 2 + 1));
        } else if (type == double.class) {
            double v = (Double) value;
            out.addAll(List.of(v / 2, v * 2, v + 0.1, 0.5, 1.0, 1.5));
        } else if (type.isEnum()) {
            out.addAll(List.of(type.getEnumConstants()));
        } else if (type == String.class) {
            out.add(value == null ? "renamed" : value + "-renamed");
            out.addAll(List.of("float16", "bfloat16")); // a String field may take names only (train.precision)
        } else if (type == Integer.class) {
            out.addAll(List.of(1, 2, 4, 8));
        } else if (type == Long.class) {
            out.addAll(List.of(1_000L, 100_000L));
        }
        out.remove(value);
        return out;
    }

    /** The configs and the alternatives that are records: every one's withers are exercised. */
    private static List<Record> all() {
        List<Record> out = new ArrayList<>(configs());
        for (Object a : alternatives()) {
            if (a instanceof Record r) {
                out.add(r);
            }
        }
        return out;
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
        assertTrue(withBuilder >= 19, "builders found on " + withBuilder + " records");
    }

    /** A record of ten fields or more is built by name: one wither at a time would validate every step. */
    @Test
    void everyRecordOfTenFieldsOrMoreHasABuilder() {
        for (Record config : configs()) {
            Class<?> type = config.getClass();
            if (type.getRecordComponents().length >= 10) {
                assertNotNull(assertDoesNotThrow(() -> type.getMethod("toBuilder"), type.getSimpleName() + " has "
                        + type.getRecordComponents().length + " fields and no toBuilder()"));
            }
        }
    }

    /**
     * Every wither and every builder setter sets its own field and no other: each field is given another
     * valid value (the first of a few candidates that the record accepts) and every other field must
     * keep its value. A builder that passes its arguments to the constructor in the wrong order fails here.
     */
    @Test
    void everyWitherAndSetterChangesItsFieldAndNoOther() throws Exception {
        List<Object> pool = new ArrayList<>(configs());
        pool.addAll(alternatives());
        Set<String> unchanged = new TreeSet<>();
        Set<String> changed = new TreeSet<>();
        for (Record config : all()) {
            Class<?> type = config.getClass();
            RecordComponent[] components = type.getRecordComponents();
            Method toBuilder = hasBuilder(type) ? type.getMethod("toBuilder") : null;
            for (RecordComponent c : components) {
                Object value = c.getAccessor().invoke(config);
                List<Object> fromAlternatives = new ArrayList<>();
                for (Object alternative : pool) {
                    if (c.getType().isInstance(alternative)) {
                        fromAlternatives.add(alternative);
                    }
                    if (alternative.getClass() == type) {
                        fromAlternatives.add(c.getAccessor().invoke(alternative));
                    }
                }
                Method wither = type.getMethod("with" + cap(c.getName()), c.getType());
                Record other = null;
                for (Object candidate : otherValues(c.getType(), value, fromAlternatives)) {
                    try {
                        other = (Record) wither.invoke(config, candidate);
                        break;
                    } catch (InvocationTargetException refused) {
                        if (!(refused.getCause() instanceof ConfigException)) {
                            throw refused;
                        }
                    }
                }
                String field = type.getSimpleName() + "." + c.getName();
                if (other == null) {
                    unchanged.add(field);
                    continue;
                }
                changed.add(field);
                Object newValue = c.getAccessor().invoke(other);
                assertTrue(!java.util.Objects.equals(value, newValue), field + ": the wither left the field as it was");
                for (RecordComponent d : components) {
                    if (d != c) {
                        assertEquals(d.getAccessor().invoke(config), d.getAccessor().invoke(other),
                                field + ": its wither changed " + d.getName() + " as well");
                    }
                }
                if (toBuilder != null) {
                    Object builder = toBuilder.invoke(config);
                    builder.getClass().getMethod(c.getName(), c.getType()).invoke(builder, newValue);
                    assertEquals(other, builder.getClass().getMethod("build").invoke(builder),
                            field + ": the builder's setter and the wither disagree");
                }
            }
        }
        // a field may be bound to another in one config (numBeams > 1 forbids sampling), not in all of them
        unchanged.removeAll(changed);
        assertEquals(Set.of(), unchanged, "fields no tried value could change (" + changed.size() + " changed)");
        assertTrue(changed.size() > 200, changed.size() + " fields changed");
    }

    private static boolean hasBuilder(Class<?> type) {
        try {
            type.getMethod("toBuilder");
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
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
