package org.qformerlab.blip2.qformer;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.qformerlab.blip2.nn.KeyValue;

/**
 * The image as the Q-Former's cross-attention sees it: per layer, the keys and values projected
 * from the image features (null for layers without cross-attention). Computed once per step and
 * shared by every pass; {@link #rows} picks images per sequence (ITM's hard negatives) without
 * projecting again.
 */
public final class ImageContext {

    private final List<KeyValue> perLayer;

    ImageContext(List<KeyValue> perLayer) {
        this.perLayer = perLayer;
    }

    KeyValue layer(int i) {
        return perLayer.get(i);
    }

    /** The same images reordered or repeated: row r of the result is image {@code index[r]}. */
    public ImageContext rows(NDArray index) {
        List<KeyValue> out = new ArrayList<>(perLayer.size());
        for (KeyValue kv : perLayer) {
            out.add(kv == null ? null : kv.rows(index));
        }
        return new ImageContext(out);
    }
}
