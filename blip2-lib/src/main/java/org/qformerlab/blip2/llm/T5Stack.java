package org.qformerlab.blip2.llm;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.qformerlab.blip2.nn.Dropout;
import org.qformerlab.blip2.nn.KeyValue;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.RmsNorm;

/**
 * T5's encoder or decoder ({@code encoder} / {@code decoder}): blocks and a final RMS norm. The
 * position bias comes from block 0's {@code relative_attention_bias} and is shared by every block;
 * it is bidirectional in the encoder and looks only back in the decoder.
 */
public final class T5Stack extends Module {

    private final T5Config config;
    private final boolean decoder;
    private final List<T5Block> blocks = new ArrayList<>();
    private final RmsNorm finalLayerNorm;

    public T5Stack(T5Config c, boolean decoder) {
        this.config = c;
        this.decoder = decoder;
        int n = decoder ? c.numDecoderLayers() : c.numLayers();
        for (int i = 0; i < n; i++) {
            blocks.add(module("block." + i, new T5Block(c, decoder, i == 0)));
        }
        this.finalLayerNorm = module("final_layer_norm", new RmsNorm(c.dModel(), c.layerNormEps()));
    }

    /** Encoder: [B, L, dModel] embeddings with mask [B, L] -> hidden states [B, L, dModel]. */
    public NDArray encode(NDArray inputsEmbeds, NDArray mask, boolean training) {
        int l = (int) inputsEmbeds.getShape().get(1);
        NDArray bias = blocks.get(0).selfAttention().positionBias(inputsEmbeds.getManager(), l, l, 0, true)
                .add(AttentionBias.padding(mask));
        NDArray h = Dropout.apply(inputsEmbeds, (float) config.dropout(), training);
        for (T5Block block : blocks) {
            h = block.forward(h, bias, null, null, null, training).hidden();
        }
        return Dropout.apply(finalLayerNorm.forward(h), (float) config.dropout(), training);
    }

    /** Decoder output: hidden states of the new positions and the extended cache. */
    public record Output(NDArray hidden, KvCache cache) {}

    /**
     * Decoder: new positions [B, S, dModel] with mask [B, past + S], attending to the encoder
     * output [B, L, dModel] (its padding as an additive bias [B, 1, 1, L], see {@link #crossBias});
     * the cache holds earlier positions' self-attention keys/values and the encoder's
     * cross-attention keys/values (projected once).
     */
    public Output decode(NDArray inputsEmbeds, NDArray mask, KvCache past, NDArray encoderHidden, NDArray crossBias,
            boolean training) {
        int pastLength = past == null ? 0 : past.length();
        int s = (int) inputsEmbeds.getShape().get(1);
        NDArray selfBias = blocks.get(0).selfAttention()
                .positionBias(inputsEmbeds.getManager(), s, pastLength + s, pastLength, false)
                .add(AttentionBias.causal(mask, pastLength, s));
        List<KeyValue> cross = past != null && past.cross() != null ? past.cross() : new ArrayList<>();
        boolean newCross = cross.isEmpty();
        List<KeyValue> self = new ArrayList<>(blocks.size());
        NDArray h = Dropout.apply(inputsEmbeds, (float) config.dropout(), training);
        for (int i = 0; i < blocks.size(); i++) {
            T5Block block = blocks.get(i);
            if (newCross) {
                cross.add(block.crossKeysValues(encoderHidden));
            }
            T5Block.Output out = block.forward(h, selfBias, KvCache.layer(past, i), cross.get(i), crossBias, training);
            h = out.hidden();
            self.add(out.keysValues());
        }
        return new Output(Dropout.apply(finalLayerNorm.forward(h), (float) config.dropout(), training),
                new KvCache(self, cross));
    }

    /** The cross-attention bias of an encoder padding mask [B, L]: padded encoder positions are blocked. */
    public static NDArray crossBias(NDArray encoderMask) {
        return AttentionBias.padding(encoderMask);
    }

    boolean isDecoder() {
        return decoder;
    }
}
