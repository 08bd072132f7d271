package org.qformerlab.kernel.magic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MagicArgsTest {

    private final MagicSpec spec = new QFormerMagic().spec();

    @Test
    void parsesPositionalsAndBothOptionForms() {
        MagicArgs a = MagicArgs.parse(spec, List.of("tiny", "--queries", "8", "--layers=3"));
        assertEquals("tiny", a.positional(0, null));
        assertEquals(8, a.integer("queries", 1, 1));
        assertEquals(3, a.integer("layers", 1, 1));
        assertEquals(2, a.integer("heads", 2, 1), "absent option takes the fallback");
    }

    @Test
    void rejectsWhatTheSpecDoesNotAllow() {
        MagicUsageException unknown = assertThrows(MagicUsageException.class,
                () -> MagicArgs.parse(spec, List.of("--querys", "8")));
        assertTrue(unknown.getMessage().startsWith("unknown option --querys; valid options: --queries"), unknown.getMessage());
        assertEquals("--queries needs a value: --queries N",
                assertThrows(MagicUsageException.class, () -> MagicArgs.parse(spec, List.of("--queries"))).getMessage());
        MagicArgs zero = MagicArgs.parse(spec, List.of("--queries", "0"));
        assertEquals("--queries must be at least 1, got 0",
                assertThrows(MagicUsageException.class, () -> zero.integer("queries", 4, 1)).getMessage());
        MagicArgs name = MagicArgs.parse(spec, List.of("--as", "class"));
        assertThrows(MagicUsageException.class, () -> name.variable("as", "qformer"));
    }

    @Test
    void configuresAVariantFromPresetAndOptions() {
        var c = QFormerMagic.configure(MagicArgs.parse(spec, List.of("--queries", "8", "--cross-freq", "1", "--hidden", "64", "--heads", "4")), "tiny");
        assertEquals(8, c.numQueries());
        assertEquals(1, c.crossAttentionFreq());
        assertEquals(256, c.intermediateSize(), "4H when --hidden is given");
    }
}
