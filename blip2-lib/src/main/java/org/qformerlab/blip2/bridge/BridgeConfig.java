package org.qformerlab.blip2.bridge;

import static org.qformerlab.blip2.config.ConfigException.require;

import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.config.QFormerConfig;

/**
 * Which bridge stage 2 trains, and the knobs of the bridges that are not a Q-Former
 * ({@code stage2.bridge.*}). The Q-Former types take their whole shape from the {@code qformer}
 * section. The others borrow from it what a fair comparison should hold equal: the working width
 * H ({@code qformer.hiddenSize}), the feed-forward width ({@code qformer.intermediateSize}) and
 * the LayerNorm epsilon; by default also the number of soft-prompt positions and of heads. A field
 * a type does not read is ignored, so a study can vary {@code type} over one base.
 *
 * @param type which bridge ({@link BridgeType}; default {@code qformer})
 * @param numLatents soft-prompt positions N of the perceiver (its latents) and of attentional
 *     pooling (its queries); null = {@code qformer.numQueries}. The Q-Former types have
 *     {@code qformer.numQueries} queries; linear gives one position per image patch
 * @param layers perceiver layers, each a cross-attention and a feed-forward (default 2); only the
 *     perceiver reads it
 * @param heads attention heads of the perceiver and of attentional pooling; null =
 *     {@code qformer.numHeads}; must divide {@code qformer.hiddenSize}
 * @param parameterBudget trainable parameters each bridge that can be sized is sized to (its
 *     projection to the LLM included), so that a study compares bridges at equal size; null = no
 *     sizing, every bridge at the Q-Former's widths. The rule ({@link ParameterBudget}), each
 *     knob chosen so the count comes closest to the budget, within
 *     {@link ParameterBudget#TOLERANCE}: attentional pooling's width H, a multiple of the heads;
 *     the perceiver's width H, the widest multiple of the heads that stays within the budget with
 *     the Q-Former's feed-forward ratio {@code intermediateSize/hiddenSize}, then its feed-forward
 *     width to close the gap (one step of H moves the count by several percent); linear's hidden
 *     width W (LLaVA-1.5's two-layer MLP; the single Linear when that is already within tolerance). The Q-Former types are the reference, shaped by the
 *     {@code qformer} section and never resized: set the budget to the Q-Former bridge's count
 *     ({@link #trainableParameters}) to compare the others with it
 * @param projectionOnly a probe of what the queries carry (default false): the Q-Former keeps the
 *     weights it starts stage 2 with (a stage-1 checkpoint or a random start) and only its
 *     projection to the LLM ({@code opt_proj} / {@code t5_proj}) trains. Q-Former types only
 */
public record BridgeConfig(BridgeType type, Integer numLatents, int layers, Integer heads, Long parameterBudget,
                           boolean projectionOnly) {

    public BridgeConfig {
        String c = "stage2.bridge.";
        require(type != null, c + "type is missing: use one of qformer, perceiver, linear, attentional-pooling,"
                + " instruction-qformer");
        require(numLatents == null || numLatents >= 1, c + "numLatents=" + numLatents
                + " must be at least 1 (the soft prompt's positions), or left out to take qformer.numQueries");
        require(layers >= 1, c + "layers=" + layers + " must be at least 1 (the perceiver's layers)");
        require(heads == null || heads >= 1,
                c + "heads=" + heads + " must be at least 1, or left out to take qformer.numHeads");
        require(parameterBudget == null || parameterBudget >= 1, c + "parameterBudget=" + parameterBudget
                + " must be at least 1 (trainable parameters), or left out to give every bridge the Q-Former's widths");
        require(!projectionOnly || type.isQFormer(), c + "projectionOnly=true freezes a Q-Former and trains only its"
                + " projection to the LLM, but type=" + type.id() + " has no Q-Former: use type=qformer or"
                + " instruction-qformer, or set projectionOnly=false");
    }

    /** The five sizing knobs, every bridge trained whole. */
    public BridgeConfig(BridgeType type, Integer numLatents, int layers, Integer heads, Long parameterBudget) {
        this(type, numLatents, layers, heads, parameterBudget, false);
    }

    /** The four knobs, without a parameter budget (every bridge at the Q-Former's widths). */
    public BridgeConfig(BridgeType type, Integer numLatents, int layers, Integer heads) {
        this(type, numLatents, layers, heads, null, false);
    }

    /** BLIP-2's bridge, the default: the Q-Former. */
    public static BridgeConfig qformer() {
        return of(BridgeType.QFORMER);
    }

    /** A bridge of this type with the default knobs (N and heads as the Q-Former's, 2 perceiver layers). */
    public static BridgeConfig of(BridgeType type) {
        return new BridgeConfig(type, null, 2, null, null, false);
    }

    /** N for the perceiver and attentional pooling: {@link #numLatents}, or the Q-Former's query count. */
    public int latents(QFormerConfig qformer) {
        return numLatents == null ? qformer.numQueries() : numLatents;
    }

    /** Attention heads of the perceiver and attentional pooling. */
    public int heads(QFormerConfig qformer) {
        return heads == null ? qformer.numHeads() : heads;
    }

    /** N, the soft prompt's length, for image features of {@code numPatches} patches. */
    public int promptLength(QFormerConfig qformer, int numPatches) {
        return switch (type) {
            case QFORMER, INSTRUCTION_QFORMER -> qformer.numQueries();
            case PERCEIVER, ATTENTIONAL_POOLING -> latents(qformer);
            case LINEAR -> numPatches;
        };
    }

    /**
     * Checks what this section can only check beside the Q-Former's: the heads must divide the
     * width H they share.
     *
     * @throws ConfigException naming the fields and the fix
     */
    public void check(QFormerConfig qformer) {
        boolean usesHeads = type == BridgeType.PERCEIVER || type == BridgeType.ATTENTIONAL_POOLING;
        require(!usesHeads || qformer.hiddenSize() % heads(qformer) == 0,
                "stage2.bridge.heads=" + heads(qformer) + " must divide the bridge's width qformer.hiddenSize="
                        + qformer.hiddenSize() + " (each head gets hiddenSize/heads dimensions); change one of them");
    }

    /**
     * Builds the bridge (not yet initialised).
     *
     * @param qformer the Q-Former's shape (the Q-Former types) or the shared widths (the others);
     *     {@code visionWidth} is the image features' width
     * @param numPatches P, the patches per image (the linear bridge's prompt length)
     * @param llmWidth the language model's embedding width
     * @param projectionName the checkpoint name of the final projection ({@link QFormerBridge#OPT_PROJ})
     */
    public Bridge create(QFormerConfig qformer, int numPatches, int llmWidth, String projectionName) {
        check(qformer);
        if (type.isQFormer()) {
            QFormerBridge bridge = (QFormerBridge) atWidth(qformer, numPatches, llmWidth, projectionName, 0);
            if (projectionOnly) {
                bridge.freezeQFormer();
            }
            return bridge;
        }
        if (parameterBudget == null) {
            return atWidth(qformer, numPatches, llmWidth, projectionName,
                    type == BridgeType.LINEAR ? 0 : qformer.hiddenSize());
        }
        long budget = parameterBudget;
        if (type == BridgeType.LINEAR) {
            Bridge single = atWidth(qformer, numPatches, llmWidth, projectionName, 0);
            if (Math.abs(ParameterBudget.trainable(single) - budget) <= ParameterBudget.TOLERANCE * budget) {
                return single;
            }
        }
        int step = type == BridgeType.LINEAR ? 1 : heads(qformer);
        if (type == BridgeType.PERCEIVER) {
            String what = "perceiver bridge (its width, a multiple of its " + step + " heads, then its feed-forward width)";
            int width = ParameterBudget.widestWithin(
                    w -> atWidth(qformer, numPatches, llmWidth, projectionName, w), step, budget, what);
            return ParameterBudget.sized(
                    i -> perceiver(qformer, llmWidth, projectionName, width, i), 1, budget, what);
        }
        String what = type == BridgeType.LINEAR ? "linear bridge (the width of its hidden layer)"
                : type.id() + " bridge (its width, a multiple of its " + step + " heads)";
        return ParameterBudget.sized(w -> atWidth(qformer, numPatches, llmWidth, projectionName, w), step, budget, what);
    }

    /**
     * The bridge with its one size knob at {@code width}: H of the perceiver (feed-forward at the
     * Q-Former's ratio) and of attentional pooling, W of linear's hidden layer (0 = one Linear);
     * ignored by the Q-Former types.
     */
    private Bridge atWidth(QFormerConfig qformer, int numPatches, int llmWidth, String projectionName, int width) {
        return switch (type) {
            case QFORMER -> new QFormerBridge(qformer, llmWidth, projectionName);
            case INSTRUCTION_QFORMER -> QFormerBridge.instructionAware(qformer, llmWidth, projectionName);
            case PERCEIVER -> perceiver(qformer, llmWidth, projectionName, width, Math.max(1, (int) Math.round(
                    (double) width * qformer.intermediateSize() / qformer.hiddenSize())));
            case LINEAR -> new LinearProjection(qformer.visionWidth(), numPatches, width, qformer.layerNormEps(),
                    llmWidth, projectionName);
            case ATTENTIONAL_POOLING -> new AttentionalPooling(qformer.visionWidth(), width,
                    latents(qformer), heads(qformer), qformer.layerNormEps(), llmWidth, projectionName);
        };
    }

    /** The perceiver at width H and feed-forward width I, its other knobs from this config. */
    private PerceiverResampler perceiver(QFormerConfig qformer, int llmWidth, String projectionName, int width,
                                         int intermediate) {
        return new PerceiverResampler(PerceiverResampler.Config.of(
                        qformer, latents(qformer), layers, heads(qformer), llmWidth, projectionName)
                .withWidth(width)
                .withIntermediate(intermediate));
    }

    /**
     * The trainable parameters of the bridge {@link #create} builds: what stage 2 updates, and what
     * {@link #parameterBudget} is compared with.
     */
    public long trainableParameters(QFormerConfig qformer, int numPatches, int llmWidth) {
        return ParameterBudget.trainable(create(qformer, numPatches, llmWidth, QFormerBridge.OPT_PROJ));
    }

    /** This config with {@code type} replaced. */
    public BridgeConfig withType(BridgeType type) {
        return toBuilder().type(type).build();
    }

    /** This config with {@code numLatents} replaced. */
    public BridgeConfig withNumLatents(Integer numLatents) {
        return toBuilder().numLatents(numLatents).build();
    }

    /** This config with {@code layers} replaced. */
    public BridgeConfig withLayers(int layers) {
        return toBuilder().layers(layers).build();
    }

    /** This config with {@code parameterBudget} replaced (null: no sizing). */
    public BridgeConfig withParameterBudget(Long parameterBudget) {
        return toBuilder().parameterBudget(parameterBudget).build();
    }

    /** This config with {@code projectionOnly} replaced. */
    public BridgeConfig withProjectionOnly(boolean projectionOnly) {
        return toBuilder().projectionOnly(projectionOnly).build();
    }

    /** This config with {@code heads} replaced. */
    public BridgeConfig withHeads(Integer heads) {
        return toBuilder().heads(heads).build();
    }

    /** A builder starting from this config: name the fields that change, then {@link Builder#build}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Named construction of a {@link BridgeConfig}: starts from a config, every field has a setter, and the
     * record validates once, in {@link #build} (so fields that must agree can change together).
     */
    public static final class Builder {
        private BridgeType type;
        private Integer numLatents;
        private int layers;
        private Integer heads;
        private Long parameterBudget;
        private boolean projectionOnly;

        private Builder(BridgeConfig c) {
            this.projectionOnly = c.projectionOnly();
            this.parameterBudget = c.parameterBudget();
            this.type = c.type();
            this.numLatents = c.numLatents();
            this.layers = c.layers();
            this.heads = c.heads();
        }

        public Builder type(BridgeType type) {
            this.type = type;
            return this;
        }

        public Builder numLatents(Integer numLatents) {
            this.numLatents = numLatents;
            return this;
        }

        public Builder layers(int layers) {
            this.layers = layers;
            return this;
        }

        public Builder heads(Integer heads) {
            this.heads = heads;
            return this;
        }

        public Builder parameterBudget(Long parameterBudget) {
            this.parameterBudget = parameterBudget;
            return this;
        }

        public Builder projectionOnly(boolean projectionOnly) {
            this.projectionOnly = projectionOnly;
            return this;
        }

        public BridgeConfig build() {
            return new BridgeConfig(type, numLatents, layers, heads, parameterBudget, projectionOnly);
        }
    }
}
