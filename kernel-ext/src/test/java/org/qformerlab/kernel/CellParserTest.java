package org.qformerlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class CellParserTest {

    @Test
    void lineMagicsSplitTheJava() {
        List<CellParser.Part> parts = CellParser.parse("int a = 1;\n%qformer tiny --as \"my model\"\na + 1\n");
        assertEquals(3, parts.size());
        assertEquals(new CellParser.Java("int a = 1;\n", 1), parts.get(0));
        CellParser.Magic m = (CellParser.Magic) parts.get(1);
        assertEquals("qformer", m.name());
        assertEquals(List.of("tiny", "--as", "my model"), m.words());
        assertNull(m.body());
        assertEquals(new CellParser.Java("a + 1\n\n", 3), parts.get(2));
    }

    @Test
    void aCellMagicTakesTheRestOfTheCell() {
        List<CellParser.Part> parts = CellParser.parse("%%config train --as t\nsteps: 10\n%not a magic here\n");
        assertEquals(List.of(new CellParser.Magic("config", List.of("train", "--as", "t"),
                "steps: 10\n%not a magic here\n", true)), parts);
    }

    @Test
    void quotesAndEscapesGroupWords() {
        assertEquals(List.of("a b", "c'd", "e"), CellParser.split(" \"a b\" c\\'d  e "));
    }
}
