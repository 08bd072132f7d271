package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import org.qformerlab.blip2.nn.Module;

/**
 * Cuts an image into non-overlapping {@code p x p} patches and maps each to a D-dimensional token:
 * a convolution with kernel and stride {@code p}, which is one linear map applied to every flattened
 * patch. The weight has PyTorch's {@code Conv2d} layout [D, C, p, p] (as in a Hugging Face
 * checkpoint), so {@code weight.reshape(D, C*p*p)} is that linear map over patches flattened in
 * (channel, row, column) order (see {@link Patches}).
 */
public final class PatchEmbedding extends Module {

    private final int patchSize;
    private final ai.djl.nn.Parameter weight;
    private final ai.djl.nn.Parameter bias;

    public PatchEmbedding(int channels, int patchSize, int width) {
        this.patchSize = patchSize;
        this.weight = parameter("weight", new Shape(width, channels, patchSize, patchSize), new NormalInitializer(0.02f));
        this.bias = parameter("bias", new Shape(width), Initializer.ZEROS);
    }

    /** pixels [B, C, H, W] -> patch tokens [B, P, D], patches in row-major order over the grid. */
    public NDArray forward(NDArray pixels) {
        NDArray maps = Conv2d.conv2d(pixels, value(weight), value(bias),
                new Shape(patchSize, patchSize), new Shape(0, 0), new Shape(1, 1), 1).singletonOrThrow(); // [B, D, g, g]
        Shape s = maps.getShape();
        return maps.reshape(s.get(0), s.get(1), s.get(2) * s.get(3)).transpose(0, 2, 1);
    }
}
