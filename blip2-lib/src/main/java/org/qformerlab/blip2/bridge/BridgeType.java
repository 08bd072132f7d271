package org.qformerlab.blip2.bridge;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.qformerlab.blip2.config.ConfigException;

/**
 * Which bridge stands between the frozen image encoder and the frozen language model. Written in
 * configs by its {@link #id()} ({@code stage2.bridge.type: perceiver}); {@link BridgeConfig#create}
 * is the one place that maps a type to its class.
 */
public enum BridgeType {
    /** BLIP-2's Q-Former: learned queries cross-attend to the image ({@link QFormerBridge}). */
    QFORMER("qformer", true),
    /** Flamingo's Perceiver Resampler: latents attend to [image ; latents] ({@link PerceiverResampler}). */
    PERCEIVER("perceiver", false),
    /** LLaVA's projection: one Linear of every patch feature, P prompt positions ({@link LinearProjection}). */
    LINEAR("linear", false),
    /** CoCa's attentional pooling: one cross-attention of learned queries ({@link AttentionalPooling}). */
    ATTENTIONAL_POOLING("attentional-pooling", false),
    /** InstructBLIP: the Q-Former with the instruction beside its queries ({@link QFormerBridge}). */
    INSTRUCTION_QFORMER("instruction-qformer", true);

    private final String id;
    private final boolean qformer;

    BridgeType(String id, boolean qformer) {
        this.id = id;
        this.qformer = qformer;
    }

    /** The name configs use: {@code qformer}, {@code perceiver}, {@code linear}, ... */
    @JsonValue
    public String id() {
        return id;
    }

    /**
     * Whether the bridge is a Q-Former, so that it can start from a stage-1 checkpoint (the other
     * bridges have no stage 1 to come from).
     */
    public boolean isQFormer() {
        return qformer;
    }

    /** Reads a type by its id, or by its constant name in any case ({@code ATTENTIONAL_POOLING}). */
    @JsonCreator
    public static BridgeType of(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (BridgeType t : values()) {
            if (t.id.equals(key)) {
                return t;
            }
        }
        throw new ConfigException("stage2.bridge.type='" + name + "' is not a bridge: use one of "
                + Arrays.stream(values()).map(BridgeType::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
