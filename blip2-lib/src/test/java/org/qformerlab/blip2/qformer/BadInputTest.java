package org.qformerlab.blip2.qformer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.config.ObjectiveConfig;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.objectives.Stage1Objective;

/** Wrong shapes fail early with a message that names the problem and the fix. */
class BadInputTest {

    NDManager m;
    Blip2QFormer model;
    QFormerConfig c = QFormerConfig.tiny();
    Stage1Objective objective = new Stage1Objective(ObjectiveConfig.blip2());

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        model = Blip2QFormer.create(c, m);
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private NDArray ids(int b, int t) {
        return m.ones(new Shape(b, t), DataType.INT64);
    }

    @Test
    void wrongImageFeatureWidth() {
        NDArray image = m.zeros(new Shape(2, 5, c.visionWidth() + 1));
        var e = assertThrows(IllegalArgumentException.class,
                () -> objective.forward(m, model, image, ids(2, 4), ids(2, 4), false));
        assertTrue(e.getMessage().contains("width " + (c.visionWidth() + 1))
                && e.getMessage().contains("visionWidth=" + c.visionWidth()), e.getMessage());
    }

    @Test
    void textLongerThanThePositionTable() {
        NDArray image = m.zeros(new Shape(2, 5, c.visionWidth()));
        int t = c.maxTextLength() + 1;
        var e = assertThrows(IllegalArgumentException.class,
                () -> objective.forward(m, model, image, ids(2, t), ids(2, t), false));
        assertTrue(e.getMessage().contains("text has " + t + " tokens")
                && e.getMessage().contains("maxTextLength=" + c.maxTextLength()), e.getMessage());
    }

    @Test
    void imagesAndTextsOfDifferentBatchSizes() {
        NDArray image = m.zeros(new Shape(3, 5, c.visionWidth()));
        var e = assertThrows(IllegalArgumentException.class,
                () -> objective.forward(m, model, image, ids(2, 4), ids(2, 4), false));
        assertTrue(e.getMessage().contains("3 images but 2 texts"), e.getMessage());
    }

    @Test
    void textIdsAndMaskOfDifferentShapes() {
        NDArray image = m.zeros(new Shape(2, 5, c.visionWidth()));
        var e = assertThrows(IllegalArgumentException.class,
                () -> objective.forward(m, model, image, ids(2, 4), ids(2, 5), false));
        assertTrue(e.getMessage().contains("text ids") && e.getMessage().contains("text mask"), e.getMessage());
    }

    @Test
    void itmWithASingleImage() {
        NDArray image = m.zeros(new Shape(1, 5, c.visionWidth()));
        var e = assertThrows(IllegalArgumentException.class,
                () -> objective.forward(m, model, image, ids(1, 4), ids(1, 4), false));
        assertTrue(e.getMessage().contains("at least 2 distinct images"), e.getMessage());
    }
}
