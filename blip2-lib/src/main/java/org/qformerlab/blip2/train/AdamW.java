package org.qformerlab.blip2.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 */
public final class AdamW implements AutoCloseable {

    private final NDManager manager;
    private final List<String> names = new ArrayList<>();
    private final List<Parameter> params = new ArrayList<>();
    private final List<Boolean> decay = new ArrayList<>();
    private final List<NDArray> m = new ArrayList<>();
    private final List<NDArray> v = new ArrayList<>();
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private long step;

    public AdamW(Map<String, Parameter> named, double beta1, double beta2, double eps, double weightDecay) {
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
            m.add(owner.zeros(w.getShape(), w.getDataType()));
            v.add(owner.zeros(w.getShape(), w.getDataType()));
        }
        if (owner == null) {
            throw new IllegalArgumentException("nothing to optimise: every parameter is frozen");
        }
        this.manager = owner;
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
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        float corrected = (float) (lr * Math.sqrt(bc2) / bc1);
        float epsilon = (float) (eps * Math.sqrt(bc2));
        try (GradMode ignored = GradMode.off(); NDManager scope = manager.newSubManager()) {
            for (int i = 0; i < params.size(); i++) {
                NDArray w = params.get(i).getArray();
                NDArray g = w.getGradient();
                g.attach(scope);
                float wd = decay.get(i) && weightDecay > 0 ? (float) weightDecay : 0f;
                w.getNDArrayInternal().adamUpdate(
                        new NDList(w, g, m.get(i), v.get(i)), new NDList(w), // the kernel zeroes w's gradient
                        (float) lr, corrected, wd, 1f, -1f, (float) beta1, (float) beta2, epsilon,
                        false, true);
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

    /** The moments by name ({@code m.<param>}, {@code v.<param>}) for a checkpoint. */
    public Map<String, NDArray> state() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            out.put("m." + names.get(i), m.get(i));
            out.put("v." + names.get(i), v.get(i));
        }
        return out;
    }

    /** Restores moments and step count written by {@link #state}. */
    public void loadState(Map<String, NDArray> state, long stepCount) {
        for (int i = 0; i < names.size(); i++) {
            NDArray ms = state.get("m." + names.get(i));
            NDArray vs = state.get("v." + names.get(i));
            if (ms == null || vs == null) {
                throw new IllegalArgumentException(
                        "optimizer state has no moments for '" + names.get(i)
                                + "': the checkpoint was written for a different model; start a new run");
            }
            Overwrite.copy(m.get(i), ms);
            Overwrite.copy(v.get(i), vs);
        }
        this.step = stepCount;
    }

    @Override
    public void close() {
        manager.close();
    }
}
