package org.qformerlab.blip2.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.nn.Dense;
import org.qformerlab.blip2.nn.Seeds;

/**
 * AdamW and gradient clipping against hand computations of {@code torch.optim.AdamW} and
 * {@code clip_grad_norm_}: the fused engine kernel must give the textbook formula.
 */
class AdamWTest {

    private static final double LR = 0.01;
    private static final double B1 = 0.9;
    private static final double B2 = 0.999;
    private static final double EPS = 1e-8;
    private static final double WD = 0.1;

    /** loss = sum(dense(x) * c): gradients that differ per element and per step. */
    private static void backward(NDManager m, Dense dense, float scale) {
        try (NDManager s = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray x = s.create(new float[] {1f, -2f, 0.5f, 3f, 0.25f, -1f}, new Shape(2, 3));
            NDArray c = s.create(new float[] {0.3f, -0.7f, 1.1f, 0.2f}, new Shape(2, 2)).mul(scale);
            gc.backward(dense.forward(x).mul(c).sum());
        }
    }

    @Test
    void twoStepsMatchTorchAdamW() {
        twoStepsMatchTorchAdamW(1.0, false);
    }

    /**
     * A parameter group at ten times the rate (the weight, matched by the suffix "weight"): its Adam
     * step and its decay both use 10 lr, the bias keeps lr; the same with moments per loss (one loss).
     */
    @Test
    void aParameterGroupStepsAtItsMultipleOfTheRate() {
        twoStepsMatchTorchAdamW(10.0, false);
        twoStepsMatchTorchAdamW(10.0, true);
        try (NDManager m = NDManager.newBaseManager()) {
            Dense dense = new Dense(3, 2);
            dense.initialize(m, DataType.FLOAT32);
            try (AdamW opt = new AdamW(dense.namedParameters(), B1, B2, EPS, WD)) {
                var e = assertThrows(IllegalArgumentException.class,
                        () -> opt.withLearningRateScales(java.util.Map.of("relative_attention_bias.weight", 10.0)));
                assertTrue(e.getMessage().contains("'relative_attention_bias.weight' ends no trainable parameter's name"),
                        e.getMessage());
                e = assertThrows(IllegalArgumentException.class,
                        () -> opt.withLearningRateScales(java.util.Map.of("bias", 0.0)));
                assertTrue(e.getMessage().contains("learning-rate scale of 'bias' is 0.0"), e.getMessage());
            }
        }
    }

    private static void twoStepsMatchTorchAdamW(double weightScale, boolean perLoss) {
        Seeds.set(3);
        try (NDManager m = NDManager.newBaseManager()) {
            Dense dense = new Dense(3, 2);
            dense.initialize(m, DataType.FLOAT32);
            List<Parameter> params = List.copyOf(dense.namedParameters().values()); // weight (decays), bias (not)
            double[][] w = new double[2][];
            double[][] mom = {new double[6], new double[2]};
            double[][] vel = {new double[6], new double[2]};
            for (int i = 0; i < 2; i++) {
                w[i] = toDouble(params.get(i).getArray().toFloatArray());
            }
            try (AdamW opt = (perLoss ? AdamW.perLoss(dense.namedParameters(), List.of("only"), B1, B2, EPS, WD)
                    : new AdamW(dense.namedParameters(), B1, B2, EPS, WD))
                    .withLearningRateScales(java.util.Map.of("weight", weightScale))) {
                for (int t = 1; t <= 2; t++) {
                    backward(m, dense, t == 1 ? 1f : -2.5f);
                    for (int i = 0; i < 2; i++) {
                        double[] g = toDouble(params.get(i).getArray().getGradient().toFloatArray());
                        boolean decays = i == 0;
                        double lr = i == 0 ? LR * weightScale : LR;
                        for (int k = 0; k < g.length; k++) {
                            if (decays) {
                                w[i][k] *= 1 - lr * WD;
                            }
                            mom[i][k] = B1 * mom[i][k] + (1 - B1) * g[k];
                            vel[i][k] = B2 * vel[i][k] + (1 - B2) * g[k] * g[k];
                            double mHat = mom[i][k] / (1 - Math.pow(B1, t));
                            double vHat = vel[i][k] / (1 - Math.pow(B2, t));
                            w[i][k] -= lr * mHat / (Math.sqrt(vHat) + EPS);
                        }
                    }
                    if (perLoss) {
                        opt.accumulate("only", 1, LR);
                        opt.apply(LR);
                    } else {
                        opt.step(LR);
                    }
                    for (int i = 0; i < 2; i++) {
                        float[] got = params.get(i).getArray().toFloatArray();
                        for (int k = 0; k < got.length; k++) {
                            assertEquals(w[i][k], got[k], 1e-6, "step " + t + " parameter " + i + " element " + k);
                        }
                        float[] g = params.get(i).getArray().getGradient().toFloatArray();
                        for (float x : g) {
                            assertEquals(0f, x, 0f, "gradients are zeroed after the step");
                        }
                        float[] mState = opt.state().get((perLoss ? "only." : "") + "m." + (i == 0 ? "weight" : "bias"))
                                .toFloatArray();
                        assertEquals(mom[i][0], mState[0], 1e-6, "first moment");
                    }
                }
            }
        }
    }

    /**
     * Two losses, the second with gradients 100 times the first's, each with its own moments and a
     * weight: the update is the weighted sum of two independent Adam steps (plus one decay), so the
     * small loss moves the weights as far as it would alone; with shared moments it would not.
     */
    @Test
    void perLossMomentsSumTheLossesOwnAdamSteps() {
        Seeds.set(5);
        double[] weight = {1.0, 0.5};
        float[] scale = {1f, -100f};
        try (NDManager m = NDManager.newBaseManager()) {
            Dense dense = new Dense(3, 2);
            dense.initialize(m, DataType.FLOAT32);
            List<Parameter> params = List.copyOf(dense.namedParameters().values()); // weight (decays), bias (not)
            double[][] w = new double[2][];
            double[][][] mom = {{new double[6], new double[2]}, {new double[6], new double[2]}}; // [loss][param]
            double[][][] vel = {{new double[6], new double[2]}, {new double[6], new double[2]}};
            for (int i = 0; i < 2; i++) {
                w[i] = toDouble(params.get(i).getArray().toFloatArray());
            }
            try (AdamW opt = AdamW.perLoss(dense.namedParameters(), List.of("small", "large"), B1, B2, EPS, WD)) {
                assertThrows(IllegalStateException.class, () -> opt.step(LR), "per-loss moments are accumulated, not stepped");
                for (int t = 1; t <= 2; t++) {
                    double[][] update = {new double[6], new double[2]};
                    for (int l = 0; l < 2; l++) {
                        backward(m, dense, scale[l] * (t == 1 ? 1f : -2.5f));
                        for (int i = 0; i < 2; i++) {
                            double[] g = toDouble(params.get(i).getArray().getGradient().toFloatArray());
                            for (int k = 0; k < g.length; k++) {
                                mom[l][i][k] = B1 * mom[l][i][k] + (1 - B1) * g[k];
                                vel[l][i][k] = B2 * vel[l][i][k] + (1 - B2) * g[k] * g[k];
                                double mHat = mom[l][i][k] / (1 - Math.pow(B1, t));
                                double vHat = vel[l][i][k] / (1 - Math.pow(B2, t));
                                update[i][k] += weight[l] * LR * mHat / (Math.sqrt(vHat) + EPS);
                            }
                        }
                        float before = params.get(0).getArray().toFloatArray()[0];
                        opt.accumulate(l == 0 ? "small" : "large", weight[l], LR);
                        assertEquals(before, params.get(0).getArray().toFloatArray()[0], 0f,
                                "the weights wait for apply: every loss's gradient is taken at the same point");
                        for (float x : params.get(0).getArray().getGradient().toFloatArray()) {
                            assertEquals(0f, x, 0f, "gradients are zeroed for the next loss");
                        }
                    }
                    for (int i = 0; i < 2; i++) {
                        for (int k = 0; k < w[i].length; k++) {
                            w[i][k] = w[i][k] * (i == 0 ? 1 - LR * WD : 1) - update[i][k];
                        }
                    }
                    opt.apply(LR);
                    for (int i = 0; i < 2; i++) {
                        float[] got = params.get(i).getArray().toFloatArray();
                        for (int k = 0; k < got.length; k++) {
                            assertEquals(w[i][k], got[k], 1e-6, "step " + t + " parameter " + i + " element " + k);
                        }
                    }
                    assertEquals(mom[0][0][1], opt.state().get("small.m.weight").toFloatArray()[1], 1e-6);
                    assertEquals(vel[1][1][0], opt.state().get("large.v.bias").toFloatArray()[0],
                            1e-4 * vel[1][1][0]); // the kernel forms 1 - b2 in float: 1.3e-5 relative
                }
                var e = assertThrows(IllegalArgumentException.class, () -> opt.accumulate("itm", 1, LR));
                assertTrue(e.getMessage().contains("no moments for loss 'itm'") && e.getMessage().contains("[small, large]"),
                        e.getMessage());
            }
        }
    }

    @Test
    void clippingScalesToTheGlobalNorm() {
        Seeds.set(4);
        try (NDManager m = NDManager.newBaseManager()) {
            Dense dense = new Dense(3, 2);
            dense.initialize(m, DataType.FLOAT32);
            backward(m, dense, 1f);
            List<Parameter> params = List.copyOf(dense.namedParameters().values());
            double sumSquares = 0;
            for (Parameter p : params) {
                for (float g : p.getArray().getGradient().toFloatArray()) {
                    sumSquares += g * g;
                }
            }
            double expected = Math.sqrt(sumSquares);
            float before = params.get(0).getArray().getGradient().toFloatArray()[0];

            double measured = GradientClipping.clip(params, 0, m); // 0: measure only
            assertEquals(expected, measured, 1e-5);
            assertEquals(before, params.get(0).getArray().getGradient().toFloatArray()[0], 0f);

            double norm = GradientClipping.clip(params, 1.0, m);
            assertEquals(expected, norm, 1e-5, "the norm before clipping is returned");
            double after = 0;
            for (Parameter p : params) {
                for (float g : p.getArray().getGradient().toFloatArray()) {
                    after += g * g;
                }
            }
            assertEquals(1.0, Math.sqrt(after), 1e-5, "clipped to maxNorm");
            assertEquals(before / expected, params.get(0).getArray().getGradient().toFloatArray()[0], 1e-5);
        }
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
