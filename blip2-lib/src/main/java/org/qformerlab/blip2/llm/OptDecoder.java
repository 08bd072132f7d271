package org.qformerlab.blip2.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import org.qformerlab.blip2.nn.Dropout;
import org.qformerlab.blip2.nn.Embedding;
import org.qformerlab.blip2.nn.KeyValue;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.Norm;

/**
 * OPT's decoder stack ({@code model.decoder}): token embeddings ({@code embed_tokens}), learned
 * positions ({@code embed_positions}), L {@link OptDecoderLayer}s and a final LayerNorm.
 *
 * <p>Positions are not 0..S-1 but follow the attention mask, as Hugging Face's OPT computes them:
 * {@code position = cumsum(mask) * mask - 1}, looked up at row {@code position + 2}. A left-padded
 * row therefore starts its positions at its first real token, and padding reads row 1. In BLIP-2
 * the mask is {@code [ones(Q) ; text mask]}, so the soft prompt takes positions 0..Q-1.
 */
public final class OptDecoder extends Module {

    private final OptConfig config;
    private final Embedding embedTokens;
    private final Embedding embedPositions;
    private final List<OptDecoderLayer> layers = new ArrayList<>();
    private final Norm finalLayerNorm;

    public OptDecoder(OptConfig c) {
        this.config = c;
        this.embedTokens = module("embed_tokens", new Embedding(c.vocabSize(), c.hiddenSize()));
        this.embedPositions = module(
                "embed_positions", new Embedding(c.maxPositions() + OptConfig.POSITION_OFFSET, c.hiddenSize()));
        for (int i = 0; i < c.numLayers(); i++) {
            layers.add(module("layers." + i, new OptDecoderLayer(c)));
        }
        this.finalLayerNorm = module("final_layer_norm", new Norm(c.hiddenSize(), c.layerNormEps()));
    }

    public Embedding embedTokens() {
        return embedTokens;
    }

    /** Final hidden states [B, S, D] of the new positions and the extended cache. */
    public record Output(NDArray hidden, KvCache cache) {}

    public Output forward(NDArray inputsEmbeds, NDArray attentionMask, KvCache past, boolean training) {
        int past0 = past == null ? 0 : past.length();
        long b = inputsEmbeds.getShape().get(0);
        long s = inputsEmbeds.getShape().get(1);
        long total = past0 + s;
        if (inputsEmbeds.getShape().dimension() != 3 || inputsEmbeds.getShape().get(2) != config.hiddenSize()) {
            throw new IllegalArgumentException("OPT input embeddings must be [batch, positions, hiddenSize="
                    + config.hiddenSize() + "]; got " + inputsEmbeds.getShape());
        }
        if (attentionMask.getShape().dimension() != 2 || attentionMask.getShape().get(0) != b
                || attentionMask.getShape().get(1) != total) {
            throw new IllegalArgumentException("the attention mask must be [batch=" + b + ", cached + new positions="
                    + total + "]; got " + attentionMask.getShape());
        }
        if (total > config.maxPositions()) {
            throw new IllegalArgumentException("the sequence has " + total + " positions (soft prompt + text) but OPT "
                    + "was built with maxPositions=" + config.maxPositions()
                    + ": shorten the text or the prompt, or use fewer queries");
        }
        NDArray hidden = inputsEmbeds.add(embedPositions.forward(positions(attentionMask, past0)));
        hidden = Dropout.apply(hidden, (float) config.dropout(), training);
        NDArray bias = AttentionBias.causal(attentionMask, past0, (int) s);
        List<KeyValue> cache = new ArrayList<>(layers.size());
        for (int i = 0; i < layers.size(); i++) {
            OptDecoderLayer.Output out = layers.get(i).forward(hidden, bias, KvCache.layer(past, i), training);
            hidden = out.hidden();
            cache.add(out.keysValues());
        }
        if (config.layerNormBefore()) {
            hidden = finalLayerNorm.forward(hidden);
        }
        return new Output(hidden, new KvCache(cache, null));
    }

    /** Rows of {@code embed_positions} for the new positions: {@code cumsum(mask) * mask - 1 + 2}. */
    static NDArray positions(NDArray attentionMask, int past) {
        NDArray mask = attentionMask.toType(DataType.INT64, false);
        NDArray positions = mask.cumSum(1).mul(mask).sub(1L);
        if (past > 0) {
            positions = positions.get(new NDIndex(":, {}:", past));
        }
        return positions.add((long) OptConfig.POSITION_OFFSET);
    }
}
