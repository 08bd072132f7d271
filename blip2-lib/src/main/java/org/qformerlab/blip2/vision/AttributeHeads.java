package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import java.util.LinkedHashMap;
import java.util.Map;
import org.qformerlab.blip2.data.Colour;
import org.qformerlab.blip2.data.ShapeType;
import org.qformerlab.blip2.data.Size;
import org.qformerlab.blip2.nn.CrossEntropy;
import org.qformerlab.blip2.nn.Dense;
import org.qformerlab.blip2.nn.Module;

/**
 * The supervised heads that pretrain the embedded default's image encoder, as an ImageNet-supervised
 * ViT is pretrained by its class head and then used without it. All are linear maps of the very
 * features the Q-Former will read ({@link VisionTransformer#features}):
 *
 * <ul>
 *   <li>from the class token: which colours, shapes, sizes and cells occur ({@code present}, one
 *       logistic output each) and how many objects there are ({@code count}, a softmax);</li>
 *   <li>from the mean patch token of each cell of the 3x3 grid ({@link GridCells}), with one set of
 *       weights shared by all cells: whether the cell is empty or which colour its object has
 *       ({@code cell_colour}, a softmax over empty + 6), and, for an occupied cell, the object's shape
 *       ({@code cell_shape}) and size ({@code cell_size});</li>
 *   <li>from every patch token: the shape of the object that covers the patch, or none
 *       ({@code patch_shape}). Without this dense signal the shape terms sat at chance (ln 5) for the
 *       first 20,000 images: a shape is spread over two to four patches, and until attention has
 *       learned to gather them the pooled cell says nothing about it; told per patch, every patch
 *       token learns what its edges belong to.</li>
 * </ul>
 *
 * The loss is the sum of the six terms (binary cross-entropy for {@code present}, cross-entropy for
 * the rest). After pretraining the heads are thrown away; what they leave behind is an encoder whose
 * class token says what is in the scene and whose patch tokens say what is where, which is what a
 * linear probe and, later, the Q-Former's cross-attention read.
 */
public final class AttributeHeads extends Module {

    private final int grid;
    private final Dense present;
    private final Dense count;
    private final Dense cellColour;
    private final Dense cellShape;
    private final Dense cellSize;
    private final Dense patchShape;

    public AttributeHeads(VisionConfig vision, int maxObjects) {
        int d = vision.width();
        this.grid = vision.gridSize();
        this.present = module("present", new Dense(d, SceneLabels.PRESENT_BITS));
        this.count = module("count", new Dense(d, maxObjects));
        this.cellColour = module("cell_colour", new Dense(d, 1 + Colour.values().length));
        this.cellShape = module("cell_shape", new Dense(d, ShapeType.values().length));
        this.cellSize = module("cell_size", new Dense(d, Size.values().length));
        this.patchShape = module("patch_shape", new Dense(d, 1 + ShapeType.values().length));
    }

    /** Each term of the loss on features [B, P+1, D] (class token first), scalars in the features' scope. */
    public Map<String, NDArray> losses(NDArray features, SceneLabels labels) {
        long b = features.getShape().get(0);
        long d = features.getShape().get(2);
        NDArray cls = features.get(new NDIndex(":, 0, :"));
        NDArray patches = features.get(new NDIndex(":, 1:, :"));
        NDArray cells = GridCells.averaging(features.getManager(), grid).matMul(patches) // [B, 9, D]
                .reshape(b * GridCells.CELLS, d);
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put("present", binaryCrossEntropy(present.forward(cls), labels.present()));
        out.put("count", CrossEntropy.loss(count.forward(cls), labels.count(), 0, null));
        out.put("cell_colour", CrossEntropy.loss(cellColour.forward(cells), labels.cellColour(), 0, null));
        out.put("cell_shape", CrossEntropy.loss(cellShape.forward(cells), labels.cellShape(), 0, labels.occupied()));
        out.put("cell_size", CrossEntropy.loss(cellSize.forward(cells), labels.cellSize(), 0, labels.occupied()));
        out.put("patch_shape", CrossEntropy.loss(patchShape.forward(patches.reshape(-1, d)), labels.patchShape(), 0, null));
        return out;
    }

    /** Mean over all outputs of {@code softplus(x) - y x}, computed stably as {@code max(x,0) - y x + log(1 + e^-|x|)}. */
    static NDArray binaryCrossEntropy(NDArray logits, NDArray targets) {
        return logits.maximum(0f).sub(logits.mul(targets)).add(logits.abs().neg().exp().add(1f).log()).mean();
    }
}
