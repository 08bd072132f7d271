package org.qformerlab.blip2.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.nn.Backward;
import org.qformerlab.blip2.nn.GradMode;
import org.qformerlab.blip2.nn.Overwrite;

/**
 * AdamW (Loshchilov and Hutter): Adam's moment estimates with decoupled weight decay, as
 * {@code torch.optim.AdamW}:
 *
 * <pre>
 *   p  -= lr * wd * p                         (decay, only for matrices; not biases, norms, temp)
 *   m   = b1 m + (1 - b1) g ;  v = b2 v + (1 - b2) g^2
 *   p  -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * </pre>
 *
 * Only parameters that require gradients are updated (frozen ones are never touched). Gradients are
 * zeroed after each step; the moments live in the optimizer's own manager and are part of a
 * checkpoint ({@link #state}).
 *
 * <h2>One pair of moments per loss ({@link #perLoss})</h2>
 *
 * With an objective {@code sum_l w_l L_l}, the usual AdamW normalises the step of each weight by
 * the moments of the summed gradient. Where one loss's gradient is much larger than another's on a
 * shared weight, it sets {@code sqrt(v)} alone, and the smaller loss's share of the step shrinks by
 * the ratio of the two. In BLIP-2's stage 1 on the embedded world ITC's gradient on the shared
 * Q-Former grows about a hundred times larger than ITM's, so ITM barely moves the weights it
 * needs ({@code docs/findings.md}). With a pair of moments per loss each loss gets its own
 * normalised step, scaled by its weight:
 *
 * <pre>
 *   m_l = b1 m_l + (1 - b1) g_l ;  v_l = b2 v_l + (1 - b2) g_l^2      (g_l: the gradient of L_l)
 *   p  -= lr * wd * p + lr * sum_l w_l (m_l / (1 - b1^t)) / (sqrt(v_l / (1 - b2^t)) + eps)
 * </pre>
 *
 * A step is then {@link #accumulate} once per loss, with that loss's gradient in the parameters,
 * and {@link #apply} once. The decay is applied once per step, as above.
 *
 * <h2>A learning rate per parameter ({@link #withLearningRateScales})</h2>
 *
 * Some parameters may step at a multiple of the scheduled rate, as a parameter group with its own
 * {@code lr} in PyTorch: their Adam step and their decay both use {@code scale * lr}. Adam moves a
 * weight by about {@code lr} per step whatever its gradient, so a weight whose useful values are
 * large (a T5's relative-position biases, which must reach several nats to single out one position
 * among sixty) needs a larger rate to get there within the budget ({@link
 * org.qformerlab.blip2.llm.LanguagePretraining}).
 */
public final class AdamW implements AutoCloseable {

    private final NDManager manager;
    private final List<String> names = new ArrayList<>();
    private final List<Parameter> params = new ArrayList<>();
    private final List<Boolean> decay = new ArrayList<>();
    private final List<Double> rateScale = new ArrayList<>(); // per parameter: its multiple of the scheduled rate
    private final List<String> losses; // one pair of moments each; empty: one pair for the whole objective
    private final List<List<NDArray>> m = new ArrayList<>(); // [moment set][parameter]
    private final List<List<NDArray>> v = new ArrayList<>();
    private final List<NDArray> pending = new ArrayList<>(); // per loss: the step summed so far
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private long step;

    /** One pair of moments for the whole objective (the usual AdamW). */
    public AdamW(Map<String, Parameter> named, double beta1, double beta2, double eps, double weightDecay) {
        this(named, List.of(), beta1, beta2, eps, weightDecay);
    }

    /**
     * One pair of moments per loss (see the class comment): each step is {@link #accumulate} for
     * every loss, then {@link #apply}.
     *
     * @param losses the loss terms' names, at least one
     */
    public static AdamW perLoss(
            Map<String, Parameter> named, List<String> losses, double beta1, double beta2, double eps,
            double weightDecay) {
        if (losses.isEmpty()) {
            throw new IllegalArgumentException("per-loss moments need at least one loss name");
        }
        return new AdamW(named, losses, beta1, beta2, eps, weightDecay);
    }

    private AdamW(Map<String, Parameter> named, List<String> losses, double beta1, double beta2, double eps,
            double weightDecay) {
        this.losses = List.copyOf(losses);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        NDManager owner = null;
        for (Map.Entry<String, Parameter> e : named.entrySet()) {
            Parameter p = e.getValue();
            if (!p.requiresGradient()) {
                continue;
            }
            NDArray w = p.getArray();
            if (owner == null) {
                owner = w.getManager().newSubManager(w.getDevice());
            }
            names.add(e.getKey());
            params.add(p);
            decay.add(decays(e.getKey(), w));
            rateScale.add(1.0);
        }
        if (owner == null) {
            throw new IllegalArgumentException("nothing to optimise: every parameter is frozen");
        }
        this.manager = owner;
        for (int set = 0; set < Math.max(1, this.losses.size()); set++) {
            m.add(zerosLikeParameters());
            v.add(zerosLikeParameters());
        }
        if (!this.losses.isEmpty()) {
            pending.addAll(zerosLikeParameters());
        }
    }

    private List<NDArray> zerosLikeParameters() {
        List<NDArray> out = new ArrayList<>(params.size());
        for (Parameter p : params) {
            out.add(manager.zeros(p.getArray().getShape(), p.getArray().getDataType()));
        }
        return out;
    }

    /**
     * Parameters whose name ends with a key of {@code scales} step at that multiple of the scheduled
     * learning rate, their decay included (see the class comment); the others at the rate itself.
     *
     * @return this optimizer
     * @throws IllegalArgumentException for a scale that is not positive and finite, or a key that ends
     *     no trainable parameter's name (a misspelt name would otherwise change nothing, silently)
     */
    public AdamW withLearningRateScales(Map<String, Double> scales) {
        scales.forEach((suffix, scale) -> {
            if (!(scale > 0) || !Double.isFinite(scale)) {
                throw new IllegalArgumentException("learning-rate scale of '" + suffix + "' is " + scale
                        + "; give a positive multiple of the scheduled rate");
            }
            boolean matched = false;
            for (int i = 0; i < names.size(); i++) {
                if (names.get(i).endsWith(suffix)) {
                    rateScale.set(i, scale);
                    matched = true;
                }
            }
            if (!matched) {
                throw new IllegalArgumentException("learning-rate scale for '" + suffix + "' ends no trainable"
                        + " parameter's name; name a suffix of one of " + names.size() + " parameters (e.g. '"
                        + names.get(0) + "')");
            }
        });
        return this;
    }

    /** The losses that have their own moments; empty when the whole objective shares one pair. */
    public List<String> losses() {
        return losses;
    }

    /** LAVIS's rule: no weight decay for vectors and scalars (biases, LayerNorms, the temperature). */
    private static boolean decays(String name, NDArray w) {
        return w.getShape().dimension() >= 2 && !name.endsWith(".bias");
    }

    /**
     * Applies one update with learning rate {@code lr}, then zeroes the gradients.
     *
     * <p>Each parameter is updated by the engine's fused Adam kernel: one native call instead of a
     * dozen element-wise operations from Java (a model has hundreds of small parameters, and for
     * them the per-call overhead dominated the step). The kernel computes
     * {@code w -= c * m / (sqrt(v) + e)} with {@code c = lr sqrt(1 - b2^t) / (1 - b1^t)}; passing
     * {@code e = eps sqrt(1 - b2^t)} makes that exactly {@code lr m_hat / (sqrt(v_hat) + eps)}, the
     * formula above. Its decoupled decay is {@code w -= lr * wd * w}, as above. All numbers reach
     * the kernel as native floats, so nothing of Java's memory is left behind.
     */
    public void step(double lr) {
        if (!losses.isEmpty()) {
            throw new IllegalStateException(
                    "this AdamW keeps moments per loss " + losses + ": call accumulate(loss, ...) for each, then apply(lr)");
        }
        step++;
        try (GradMode ignored = GradMode.off(); NDManager scope = manager.newSubManager()) {
            for (int i = 0; i < params.size(); i++) {
                NDArray w = params.get(i).getArray();
                NDArray g = w.getGradient();
                g.attach(scope);
                float wd = decay.get(i) && weightDecay > 0 ? (float) weightDecay : 0f;
                fusedAdam(w, g, 0, i, step, lr * rateScale.get(i), 1, wd); // the kernel zeroes w's gradient
            }
        }
    }

    /**
     * The fused kernel for parameter {@code i} at step {@code t}: moment pair {@code set} takes in
     * {@code g}, then {@code target -= lr * wd * target + scale * c * m / (sqrt(v) + e)} (see
     * {@link #step}).
     */
    private void fusedAdam(NDArray target, NDArray g, int set, int i, long t, double lr, double scale, float wd) {
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        float corrected = (float) (scale * lr * Math.sqrt(bc2) / bc1);
        float epsilon = (float) (eps * Math.sqrt(bc2));
        target.getNDArrayInternal().adamUpdate(
                new NDList(target, g, m.get(set).get(i), v.get(set).get(i)), new NDList(target),
                (float) lr, corrected, wd, 1f, -1f, (float) beta1, (float) beta2, epsilon, false, true);
    }

    /**
     * Per-loss moments: takes the parameters' current gradients as the gradient of {@code loss},
     * updates that loss's moments and adds {@code weight} times its normalised step to this step's
     * update; then zeroes the gradients for the next loss. The parameters do not change until
     * {@link #apply}, so every loss's gradient is taken at the same weights.
     */
    public void accumulate(String loss, double weight, double lr) {
        int set = losses.indexOf(loss);
        if (set < 0) {
            throw new IllegalArgumentException("no moments for loss '" + loss + "'; this AdamW keeps " + losses);
        }
        try (GradMode ignored = GradMode.off(); NDManager scope = manager.newSubManager()) {
            for (int i = 0; i < params.size(); i++) {
                NDArray w = params.get(i).getArray();
                NDArray g = w.getGradient();
                g.attach(scope);
                // the step being summed is step + 1 (apply counts it); the decay comes once, in apply
                fusedAdam(pending.get(i), g, set, i, step + 1, lr * rateScale.get(i), weight, 0f);
                Backward.zeroGradient(w);
            }
        }
    }

    /**
     * Per-loss moments: applies the update summed by {@link #accumulate} and the decoupled decay
     * ({@code p = p - lr * wd * p + update}), and counts the step.
     */
    public void apply(double lr) {
        if (losses.isEmpty()) {
            throw new IllegalStateException("this AdamW keeps one pair of moments: call step(lr)");
        }
        step++;
        try (GradMode ignored = GradMode.off()) {
            for (int i = 0; i < params.size(); i++) {
                NDArray w = params.get(i).getArray();
                if (decay.get(i) && weightDecay > 0) {
                    w.muli((float) (1 - lr * rateScale.get(i) * weightDecay));
                }
                w.addi(pending.get(i));
                pending.get(i).subi(pending.get(i)); // finite: a sum of Adam steps of finite gradients
            }
        }
    }

    /** Zeroes the gradients without updating (e.g. after a skipped step). */
    public void zeroGradients() {
        try (GradMode ignored = GradMode.off(); NDManager scope = manager.newSubManager()) {
            for (Parameter p : params) {
                NDArray g = p.getArray().getGradient();
                g.attach(scope);
                Overwrite.fill(g, 0f);
            }
        }
    }

    public long stepCount() {
        return step;
    }

    /** Names of the parameters this optimizer updates. */
    public List<String> parameterNames() {
        return List.copyOf(names);
    }

    /**
     * The moments by name for a checkpoint: {@code m.<param>} and {@code v.<param>}, or with moments
     * per loss {@code <loss>.m.<param>} and {@code <loss>.v.<param>}.
     */
    public Map<String, NDArray> state() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int set = 0; set < m.size(); set++) {
            for (int i = 0; i < names.size(); i++) {
                out.put(key(set, "m", i), m.get(set).get(i));
                out.put(key(set, "v", i), v.get(set).get(i));
            }
        }
        return out;
    }

    private String key(int set, String moment, int param) {
        return (losses.isEmpty() ? "" : losses.get(set) + ".") + moment + "." + names.get(param);
    }

    /** Restores moments and step count written by {@link #state}. */
    public void loadState(Map<String, NDArray> state, long stepCount) {
        for (int set = 0; set < m.size(); set++) {
            for (int i = 0; i < names.size(); i++) {
                NDArray ms = state.get(key(set, "m", i));
                NDArray vs = state.get(key(set, "v", i));
                if (ms == null || vs == null) {
                    throw new IllegalArgumentException(
                            "optimizer state has no moment '" + key(set, "m", i) + "': the checkpoint was written for a"
                                    + " different model or with " + (losses.isEmpty() ? "moments per loss" : "shared moments")
                                    + " (train.perLossMoments); resume with the run's own config.json or start a new run");
                }
                Overwrite.copy(m.get(set).get(i), ms);
                Overwrite.copy(v.get(set).get(i), vs);
            }
        }
        this.step = stepCount;
    }

    @Override
    public void close() {
        manager.close();
    }
}
