package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;
import org.qformerlab.blip2.nn.Dense;
import org.qformerlab.blip2.nn.Module;

/** The ViT block's MLP (Hugging Face {@code Blip2MLP}): {@code fc2(gelu(fc1(x)))}, exact (erf) GELU. */
public final class VisionMlp extends Module {

    private final Dense fc1;
    private final Dense fc2;

    public VisionMlp(int width, int intermediate) {
        this.fc1 = module("fc1", new Dense(width, intermediate));
        this.fc2 = module("fc2", new Dense(intermediate, width));
    }

    public NDArray forward(NDArray x) {
        return fc2.forward(fc1.forward(x).getNDArrayInternal().gelu());
    }
}
