package org.qformerlab.blip2.llm;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.qformerlab.blip2.nn.KeyValue;

/**
 * What a decoder remembers between generation steps: per layer, the self-attention keys and
 * values of every position seen so far [B, heads, S, headSize], and, for an encoder-decoder, the
 * cross-attention keys/values of the encoder output (computed once). With it each new token costs
 * one position of work instead of recomputing the whole prefix.
 */
public record KvCache(List<KeyValue> self, List<KeyValue> cross) {

    public KvCache {
        self = List.copyOf(self);
        cross = cross == null ? null : List.copyOf(cross);
    }

    /** Positions already cached. */
    public int length() {
        return self.isEmpty() ? 0 : (int) self.get(0).keys().getShape().get(2);
    }

    /** The cache of layer {@code i}, or null when there is none yet. */
    public static KeyValue layer(KvCache cache, int i) {
        return cache == null ? null : cache.self.get(i);
    }

    /** Selects batch rows (beam search keeps the histories of the surviving beams). */
    public KvCache rows(NDArray index) {
        List<KeyValue> s = new ArrayList<>(self.size());
        for (KeyValue kv : self) {
            s.add(kv.rows(index));
        }
        List<KeyValue> c = null;
        if (cross != null) {
            c = new ArrayList<>(cross.size());
            for (KeyValue kv : cross) {
                c.add(kv.rows(index));
            }
        }
        return new KvCache(s, c);
    }
}
