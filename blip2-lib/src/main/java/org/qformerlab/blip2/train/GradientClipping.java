package org.qformerlab.blip2.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.Collection;
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
            double sumSquares = 0;
            NDArray[] grads = new NDArray[params.size()];
            int i = 0;
            for (Parameter p : params) {
                if (!p.requiresGradient()) {
                    i++;
                    continue;
                }
                NDArray g = p.getArray().getGradient();
                g.attach(s);
                grads[i++] = g;
                NDArray sq = g.square().sum();
                sq.attach(s);
                sumSquares += sq.getFloat();
            }
            double norm = Math.sqrt(sumSquares);
            if (maxNorm > 0 && norm > maxNorm && Double.isFinite(norm)) {
                float scale = (float) (maxNorm / (norm + 1e-6));
                for (NDArray g : grads) {
                    if (g != null) {
                        g.muli(scale);
                    }
                }
            }
            return norm;
        }
    }
}
