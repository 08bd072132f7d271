package org.qformerlab.blip2.objectives;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.config.ObjectiveConfig;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.train.AdamW;

/** The model can learn: the loss on one fixed batch collapses under AdamW; frozen things stay frozen. */
class TrainingSanityTest {

    /**
     * Label smoothing puts a floor under the loss (with e = 0.1 and a batch of 4 the ITC minimum is
     * -(0.925 ln 0.925 + 3 * 0.025 ln 0.025) = 0.35, far from 0), so this capacity check turns it
     * off; the smoothing itself is checked against LAVIS in the parity test. The temperature is
     * clamped (the BLIP-1 option): at this learning rate AdamW would otherwise push it through 0
     * within ~50 steps and ITC would diverge.
     */
    @Test
    void lossOnOneBatchFallsByNinetyPercent() {
        Seeds.set(11);
        try (NDManager m = NDManager.newBaseManager()) {
            QFormerConfig c = QFormerConfig.tiny();
            Blip2QFormer model = Blip2QFormer.create(c, m);
            ObjectiveConfig oc = ObjectiveConfig.builder().itcLabelSmoothing(0).itgLabelSmoothing(0).clampTemperature(true).build();
            Stage1Objective objective = new Stage1Objective(oc);
            int b = 4;
            int t = 8;
            int steps = 400;
            NDArray image = m.randomNormal(new Shape(b, 6, c.visionWidth()));
            NDArray ids = m.randomInteger(5, c.vocabSize(), new Shape(b, t), DataType.INT64);
            ids.set(new ai.djl.ndarray.index.NDIndex(":, 0"), (long) c.clsTokenId());
            NDArray mask = m.ones(new Shape(b, t), DataType.INT64);
            float[] imageBefore = image.toFloatArray();

            Map<String, Double> first = null;
            Map<String, Double> last = null;
            try (AdamW opt = new AdamW(model.namedParameters(), 0.9, 0.999, 1e-8, 0.0)) {
                for (int step = 0; step < steps; step++) {
                    try (NDManager scope = m.newSubManager()) {
                        NDArray img = image.duplicate();
                        img.attach(scope);
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            Stage1Output out = objective.forward(scope, model, img, ids, mask, true);
                            gc.backward(out.total());
                            last = out.lossValues();
                            first = first == null ? last : first;
                        }
                        double warm = Math.min(1.0, (step + 1) / 20.0);
                        opt.step(2.5e-3 * warm * 0.5 * (1 + Math.cos(Math.PI * step / steps)));
                    }
                }
            }
            assertTrue(last.get("total") < 0.1 * first.get("total"),
                    "total loss went from " + first.get("total") + " to " + last.get("total") + ", not down by 90%");
            for (String term : first.keySet()) {
                assertTrue(last.get(term) < 0.8 * first.get(term),
                        term + " went from " + first.get(term) + " to " + last.get(term) + ", it did not fall");
            }
            assertArrayEquals(imageBefore, image.toFloatArray(), "image features must never be updated");
            assertFalse(image.hasGradient(), "frozen image features must not require gradients");
        }
    }

    @Test
    void frozenParametersGetNoGradientAndNoUpdate() {
        Seeds.set(3);
        try (NDManager m = NDManager.newBaseManager()) {
            QFormerConfig c = QFormerConfig.tiny();
            Blip2QFormer model = Blip2QFormer.create(c, m);
            model.modules().get("ln_vision").freezeParameters(true);
            Parameter lnWeight = model.namedParameters().get("ln_vision.weight");
            Parameter queries = model.namedParameters().get("query_tokens");
            float[] lnBefore = lnWeight.getArray().toFloatArray();
            float[] qBefore = queries.getArray().toFloatArray();
            NDArray image = m.randomNormal(new Shape(4, 6, c.visionWidth()));
            NDArray ids = m.randomInteger(5, c.vocabSize(), new Shape(4, 5), DataType.INT64);
            NDArray mask = m.ones(new Shape(4, 5), DataType.INT64);
            try (AdamW opt = new AdamW(model.namedParameters(), 0.9, 0.999, 1e-8, 0.01)) {
                assertFalse(opt.parameterNames().contains("ln_vision.weight"));
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(new Stage1Objective(ObjectiveConfig.blip2()).forward(m, model, image, ids, mask, true).total());
                }
                assertFalse(lnWeight.getArray().hasGradient(), "a frozen parameter must not require gradients");
                opt.step(1e-2);
            }
            assertArrayEquals(lnBefore, lnWeight.getArray().toFloatArray());
            assertFalse(java.util.Arrays.equals(qBefore, queries.getArray().toFloatArray()), "queries must train");
        }
    }

    @Test
    void anOptimizerWithNothingToTrainIsAnError() {
        try (NDManager m = NDManager.newBaseManager()) {
            Blip2QFormer model = Blip2QFormer.create(QFormerConfig.tiny(), m);
            model.freezeParameters(true);
            var e = assertThrows(IllegalArgumentException.class,
                    () -> new AdamW(model.namedParameters(), 0.9, 0.999, 1e-8, 0));
            assertTrue(e.getMessage().contains("every parameter is frozen"));
        }
    }
}
