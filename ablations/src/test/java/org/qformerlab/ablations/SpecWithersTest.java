package org.qformerlab.ablations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qformerlab.bench.BenchConfig;
import org.qformerlab.blip2.llm.LanguageFamily;

/**
 * The ablations module's records with many fields, a study spec and a benchmark's sizes, are changed
 * by field name like the library's configs: a wither per field and a builder with a setter per field.
 * Checked by reflection, so a field added later without its wither or setter fails here.
 */
class SpecWithersTest {

    private static List<Record> records() {
        return List.of(StudySpec.read(ShippedStudiesTest.studies().resolve("10-masks.yaml")),
                BenchConfig.named("bench-mid"), BenchConfig.named("bench-mid").withLanguage(LanguageFamily.T5));
    }

    private static String cap(String name) {
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    @Test
    void everyFieldHasAWitherAndABuilderSetterThatKeepTheRecord() throws Exception {
        for (Record r : records()) {
            Class<?> type = r.getClass();
            Object builder = type.getMethod("toBuilder").invoke(r);
            for (RecordComponent c : type.getRecordComponents()) {
                Object value = c.getAccessor().invoke(r);
                assertEquals(r, type.getMethod("with" + cap(c.getName()), c.getType()).invoke(r, value),
                        type.getSimpleName() + ".with" + cap(c.getName()));
                builder.getClass().getMethod(c.getName(), c.getType()).invoke(builder, value);
            }
            assertEquals(r, builder.getClass().getMethod("build").invoke(builder), type.getSimpleName() + " builder");
        }
    }

    /** Every size of a benchmark, doubled through its wither, changes that size and no other. */
    @Test
    void everyBenchSizeWitherChangesItsFieldAndNoOther() throws Exception {
        BenchConfig mid = BenchConfig.named("bench-mid");
        for (RecordComponent c : BenchConfig.class.getRecordComponents()) {
            Object other = switch (c.getType().getSimpleName()) {
                case "int" -> 2 * (Integer) c.getAccessor().invoke(mid);
                case "String" -> c.getAccessor().invoke(mid) + "-changed";
                default -> LanguageFamily.T5;
            };
            // bench-mid doubled stays valid (8 heads of 256 -> 16 heads, 512 wide): every wither must accept it
            BenchConfig changedConfig = (BenchConfig) BenchConfig.class.getMethod("with" + cap(c.getName()), c.getType())
                    .invoke(mid, other);
            assertEquals(other, c.getAccessor().invoke(changedConfig), c.getName());
            for (RecordComponent d : BenchConfig.class.getRecordComponents()) {
                if (!d.getName().equals(c.getName())) {
                    assertEquals(d.getAccessor().invoke(mid), d.getAccessor().invoke(changedConfig),
                            "with" + cap(c.getName()) + " changed " + d.getName());
                }
            }
            assertNotEquals(mid, changedConfig);
        }
    }
}
