package org.qformerlab.blip2.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.qformerlab.blip2.nn.GradMode;

/** Global gradient-norm clipping ({@code torch.nn.utils.clip_grad_norm_}). */
public final class GradientClipping {

    private GradientClipping() {}

    /**
     * Scales all gradients by {@code min(1, maxNorm / ||g||)} (maxNorm 0: only measures).
     *
     * @return the global gradient norm before clipping (NaN or infinite when a gradient is)
     */
    public static double clip(Collection<Parameter> params, double maxNorm, NDManager scope) {
        try (GradMode ignored = GradMode.off(); NDManager s = scope.newSubManager()) {
            List<NDArray> grads = new ArrayList<>(params.size());
            NDList norms = new NDList(params.size());
            for (Parameter p : params) {
                if (!p.requiresGradient()) {
                    continue;
                }
                NDArray g = p.getArray().getGradient();
                g.attach(s);
                grads.add(g);
                norms.add(g.norm().reshape(1)); // one op per parameter, no squared copy
            }
            if (grads.isEmpty()) {
                return 0;
            }
            // ||g|| over all parameters is the norm of the per-parameter norms: one read from the device
            double norm = NDArrays.concat(norms).norm().getFloat();
            if (maxNorm > 0 && norm > maxNorm && Double.isFinite(norm)) {
                float scale = (float) (maxNorm / (norm + 1e-6));
                for (NDArray g : grads) {
                    g.muli(scale); // outside autograd: DJL's scalar is used at once, then freed
                }
            }
            return norm;
        }
    }
}
