package org.qformerlab.blip2.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShapesWorldConfigTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void defaultsAreTheDocumentedWorld() {
        ShapesWorldConfig c = ShapesWorldConfig.defaults();
        assertEquals(64, c.imageSize());
        assertEquals(4000, c.count(Split.TRAIN));
        assertEquals(300, c.count(Split.VAL));
        assertEquals(300, c.count(Split.TEST));
        assertEquals(300, c.count(Split.COMPOSITIONAL));
        assertEquals(4, c.captionsPerImage());
        assertEquals(3, c.maxObjects());
        assertEquals(0.2, c.heldOutFraction());
    }

    @Test
    void jacksonFillsMissingFieldsWithDefaults() throws Exception {
        ShapesWorldConfig c = json.readValue("{\"seed\": 7, \"trainCount\": 10, \"imageSize\": 32}", ShapesWorldConfig.class);
        assertEquals(ShapesWorldConfig.defaults(7).withCounts(10, 300, 300, 300).withImageSize(32), c);
    }

    @Test
    void jacksonRoundTrips() throws Exception {
        ShapesWorldConfig c = ShapesWorldConfig.defaults(99).withCounts(1, 2, 3, 4);
        assertEquals(c, json.readValue(json.writeValueAsString(c), ShapesWorldConfig.class));
    }

    @Test
    void jacksonRejectsUnknownFields() {
        assertThrows(UnrecognizedPropertyException.class,
                () -> json.readValue("{\"trainCuont\": 10}", ShapesWorldConfig.class));
    }

    @Test
    void jacksonReportsValidationErrors() {
        ValueInstantiationException e = assertThrows(ValueInstantiationException.class,
                () -> json.readValue("{\"maxObjects\": 0}", ShapesWorldConfig.class));
        assertTrue(e.getMessage().contains("maxObjects must be between 1 and 9, got 0"), e.getMessage());
    }

    @Test
    void validationNamesTheFieldAndTheRule() {
        ShapesWorldConfig d = ShapesWorldConfig.defaults();
        assertMessage("imageSize must be between 32 and 1024, got 16", () -> d.withImageSize(16));
        assertMessage("trainCount must be >= 0, got -1", () -> d.withCounts(-1, 1, 1, 1));
        assertMessage("compositionalCount must be >= 0, got -5", () -> d.withCounts(1, 1, 1, -5));
        assertMessage("captionsPerImage must be between 1 and 10, got 0",
                () -> new ShapesWorldConfig(1, 64, 1, 1, 1, 1, 0, 3, 0.2));
        assertMessage("maxObjects must be between 1 and 9, got 10",
                () -> new ShapesWorldConfig(1, 64, 1, 1, 1, 1, 4, 10, 0.2));
        assertMessage("heldOutFraction must be between 0 and 0.5, got 0.7",
                () -> new ShapesWorldConfig(1, 64, 1, 1, 1, 1, 4, 3, 0.7));
        assertMessage("heldOutFraction must hold out at least one colour-shape combination when compositionalCount > 0, got 0.0",
                () -> new ShapesWorldConfig(1, 64, 1, 1, 1, 1, 4, 3, 0.0));
    }

    @Test
    void noHeldOutCombinationsIsFineWithoutACompositionalSplit() {
        ShapesWorldConfig c = new ShapesWorldConfig(1, 64, 5, 5, 5, 0, 4, 3, 0.0);
        ShapesDataset world = ShapesWorld.generate(c);
        assertTrue(world.heldOut().isEmpty());
        assertEquals(15, world.size());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertEquals(expected, e.getMessage());
    }
}
