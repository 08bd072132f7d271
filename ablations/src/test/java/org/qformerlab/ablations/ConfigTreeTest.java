package org.qformerlab.ablations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class ConfigTreeTest {

    ObjectNode tree() throws Exception {
        return (ObjectNode) RunFiles.JSON.readTree("{\"qformer\": {\"numQueries\": 32, \"layers\": 12}, \"lr\": 1}");
    }

    @Test
    void setsANestedFieldOnACopy() throws Exception {
        ObjectNode base = tree();
        ObjectNode changed = ConfigTree.with(base, "qformer.numQueries", IntNode.valueOf(8));
        assertEquals(8, changed.get("qformer").get("numQueries").asInt());
        assertEquals(32, base.get("qformer").get("numQueries").asInt(), "the base is not modified");
        assertEquals(12, changed.get("qformer").get("layers").asInt());
    }

    @Test
    void aMissingPathNamesTheMissingSegmentAndTheFieldsThere() throws Exception {
        String m = assertThrows(IllegalArgumentException.class,
                () -> ConfigTree.with(tree(), "qformer.numQuery", IntNode.valueOf(8))).getMessage();
        assertTrue(m.contains("config path 'qformer.numQuery' does not exist in the base config"), m);
        assertTrue(m.contains("no field 'numQuery' under 'qformer'; fields there: [numQueries, layers]"), m);
        String top = assertThrows(IllegalArgumentException.class,
                () -> ConfigTree.with(tree(), "qformr.numQueries", IntNode.valueOf(8))).getMessage();
        assertTrue(top.contains("no field 'qformr' at the top level; fields there: [qformer, lr]"), top);
        String through = assertThrows(IllegalArgumentException.class,
                () -> ConfigTree.with(tree(), "lr.value", IntNode.valueOf(8))).getMessage();
        assertTrue(through.contains("'lr' at the top level is a value, not a section"), through);
    }

    @Test
    void aSectionCannotBeReplacedByAValue() {
        String m = assertThrows(IllegalArgumentException.class,
                () -> ConfigTree.with(tree(), "qformer", IntNode.valueOf(8))).getMessage();
        assertTrue(m.contains("is a section, not a value"), m);
    }

    @Test
    void overlayMergesSectionsAndReplacesValues() throws Exception {
        ObjectNode base = tree();
        ConfigTree.overlay(base, RunFiles.JSON.readTree("{\"qformer\": {\"layers\": 2}, \"lr\": 3}"));
        assertEquals(32, base.get("qformer").get("numQueries").asInt());
        assertEquals(2, base.get("qformer").get("layers").asInt());
        assertEquals(3, base.get("lr").asInt());
    }
}
