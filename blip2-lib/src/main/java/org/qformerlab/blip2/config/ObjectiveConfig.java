package org.qformerlab.blip2.config;

import static org.qformerlab.blip2.config.ConfigException.require;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the three stage-1 losses are computed and weighed: total = itcWeight * ITC + itmWeight * ITM +
 * itgWeight * ITG. A weight of 0 skips that branch's computation entirely.
 *
 * <p>Each branch runs under its own self-attention mask over [queries ; text], a {@link MaskSpec}: one
 * of BLIP-2's three by name, block rules, or a matrix. BLIP-2's choice is ITC {@code UNIMODAL}, ITM
 * {@code BIDIRECTIONAL}, ITG {@code MULTIMODAL_CAUSAL}; {@link MaskRules} says what a mask must
 * satisfy. In YAML:
 *
 * <pre>
 * itcMask: BIDIRECTIONAL          # the leaky ITC ablation
 * itgMask:
 *   name: text-only generation
 *   rules: {queries->queries: all, queries->text: none, text->queries: none, text->text: causal}
 * </pre>
 *
 * In Java, {@code ObjectiveConfig.blip2().toBuilder().itgWeight(0).itcMask(StandardMask.BIDIRECTIONAL).build()}.
 *
 * @param itcWeight weight of image-text contrastive learning (1 in BLIP-2)
 * @param itmWeight weight of image-text matching with hard negatives (1)
 * @param itgWeight weight of image-grounded text generation (1)
 * @param itcLabelSmoothing label smoothing of the ITC cross-entropies (0.1 in LAVIS)
 * @param itgLabelSmoothing label smoothing of the ITG language-model loss (0.1 in LAVIS)
 * @param clampTemperature clamp the learnable temperature to [0.001, 0.5] before use, as BLIP-1
 *     did; BLIP-2's LAVIS code does not (false)
 * @param itcMask the attention mask of the ITC branch (UNIMODAL in BLIP-2; absent = UNIMODAL)
 * @param itmMask the attention mask of the ITM branch (BIDIRECTIONAL; absent = BIDIRECTIONAL)
 * @param itgMask the attention mask of the ITG branch (MULTIMODAL_CAUSAL; absent = MULTIMODAL_CAUSAL)
 * @param itgLeakyGeneration allow an ITG mask that lets a text token see later tokens, the
 *     leaky-generation ablation (false: such a mask is refused)
 * @param itmNegatives how ITM's negatives are drawn (HARD in BLIP-2; RANDOM is the ablation);
 *     absent = HARD
 * @param itmExcludeFalseNegatives never draw as ITM's negative a pair that matches anyway: a caption
 *     written for another image that is also true of this one ("three shapes"), decided on the
 *     shapes world's scenes ({@link org.qformerlab.blip2.data.CaptionTruth}); BLIP-2 assumes only
 *     the diagonal pairs match (false). COCO-style data has no scenes, so there it changes nothing.
 */
public record ObjectiveConfig(
        double itcWeight,
        double itmWeight,
        double itgWeight,
        double itcLabelSmoothing,
        double itgLabelSmoothing,
        boolean clampTemperature,
        MaskSpec itcMask,
        MaskSpec itmMask,
        MaskSpec itgMask,
        boolean itgLeakyGeneration,
        ItmNegatives itmNegatives,
        boolean itmExcludeFalseNegatives) {

    /** The branches by the name the trainer logs them under, in order. */
    public static final java.util.List<String> BRANCHES = java.util.List.of("itc", "itm", "itg");

    public ObjectiveConfig {
        String c = "ObjectiveConfig.";
        require(itcWeight >= 0, c + "itcWeight=" + itcWeight + " must be >= 0 (0 switches ITC off)");
        require(itmWeight >= 0, c + "itmWeight=" + itmWeight + " must be >= 0 (0 switches ITM off)");
        require(itgWeight >= 0, c + "itgWeight=" + itgWeight + " must be >= 0 (0 switches ITG off)");
        require(
                itcWeight + itmWeight + itgWeight > 0,
                c + "all three loss weights are 0: nothing would be trained; set at least one > 0");
        require(
                itcLabelSmoothing >= 0 && itcLabelSmoothing < 1,
                c + "itcLabelSmoothing=" + itcLabelSmoothing + " must be in [0, 1)");
        require(
                itgLabelSmoothing >= 0 && itgLabelSmoothing < 1,
                c + "itgLabelSmoothing=" + itgLabelSmoothing + " must be in [0, 1)");
        itcMask = itcMask == null ? StandardMask.UNIMODAL : itcMask;
        itmMask = itmMask == null ? StandardMask.BIDIRECTIONAL : itmMask;
        itgMask = itgMask == null ? StandardMask.MULTIMODAL_CAUSAL : itgMask;
        itmNegatives = itmNegatives == null ? ItmNegatives.HARD : itmNegatives;
        // rules and names fit any size: check them now on a small one (2 queries, 3 tokens show every
        // case); a matrix fits one size only and is checked against the Q-Former (checkMasks)
        Map<String, MaskSpec> masks = masks(itcMask, itmMask, itgMask);
        for (Map.Entry<String, MaskSpec> e : masks.entrySet()) {
            if (!(e.getValue() instanceof MatrixMask)) {
                MaskRules.check(e.getKey(), e.getValue(), 2, 3, itgLeakyGeneration);
            }
        }
    }

    /** BLIP-2's stage-1 objective: all three losses with weight 1, as in LAVIS. */
    public static ObjectiveConfig blip2() {
        return builder().build();
    }

    /** A builder starting from BLIP-2's objective ({@link #blip2()}). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this objective. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * The weight of every loss that is computed (weight above 0), by the name the trainer logs it
     * under ({@code itc}, {@code itm}, {@code itg}), in that order.
     */
    public Map<String, Double> weights() {
        Map<String, Double> out = new LinkedHashMap<>();
        if (itcWeight > 0) {
            out.put("itc", itcWeight);
        }
        if (itmWeight > 0) {
            out.put("itm", itmWeight);
        }
        if (itgWeight > 0) {
            out.put("itg", itgWeight);
        }
        return out;
    }

    /** Each branch's mask, by branch name ({@code itc}, {@code itm}, {@code itg}). */
    public Map<String, MaskSpec> masks() {
        return masks(itcMask, itmMask, itgMask);
    }

    private static Map<String, MaskSpec> masks(MaskSpec itc, MaskSpec itm, MaskSpec itg) {
        Map<String, MaskSpec> out = new LinkedHashMap<>();
        out.put("itc", itc);
        out.put("itm", itm);
        out.put("itg", itg);
        return out;
    }

    /**
     * Checks every branch's mask against a Q-Former of {@code numQueries} queries reading up to
     * {@code maxTextLength} tokens ({@link MaskRules}); an experiment does this on load.
     *
     * @throws ConfigException naming the branch and the rule
     */
    public void checkMasks(int numQueries, int maxTextLength) {
        masks().forEach((branch, mask) -> MaskRules.check(branch, mask, numQueries, maxTextLength, itgLeakyGeneration));
    }

    public ObjectiveConfig withWeights(double itc, double itm, double itg) {
        return toBuilder().itcWeight(itc).itmWeight(itm).itgWeight(itg).build();
    }

    public ObjectiveConfig withItcWeight(double w) {
        return toBuilder().itcWeight(w).build();
    }

    public ObjectiveConfig withItmWeight(double w) {
        return toBuilder().itmWeight(w).build();
    }

    public ObjectiveConfig withItgWeight(double w) {
        return toBuilder().itgWeight(w).build();
    }

    public ObjectiveConfig withItcLabelSmoothing(double s) {
        return toBuilder().itcLabelSmoothing(s).build();
    }

    public ObjectiveConfig withItgLabelSmoothing(double s) {
        return toBuilder().itgLabelSmoothing(s).build();
    }

    /** The same objective with the temperature clamped (BLIP-1) or not (BLIP-2's LAVIS code). */
    public ObjectiveConfig withClampTemperature(boolean clamp) {
        return toBuilder().clampTemperature(clamp).build();
    }

    public ObjectiveConfig withItcMask(MaskSpec mask) {
        return toBuilder().itcMask(mask).build();
    }

    public ObjectiveConfig withItmMask(MaskSpec mask) {
        return toBuilder().itmMask(mask).build();
    }

    public ObjectiveConfig withItgMask(MaskSpec mask) {
        return toBuilder().itgMask(mask).build();
    }

    public ObjectiveConfig withItgLeakyGeneration(boolean leaky) {
        return toBuilder().itgLeakyGeneration(leaky).build();
    }

    public ObjectiveConfig withItmNegatives(ItmNegatives negatives) {
        return toBuilder().itmNegatives(negatives).build();
    }

    public ObjectiveConfig withItmExcludeFalseNegatives(boolean exclude) {
        return toBuilder().itmExcludeFalseNegatives(exclude).build();
    }

    /** Named construction: every field has a setter; {@link #build} validates once, at the end. */
    public static final class Builder {
        private double itcWeight = 1;
        private double itmWeight = 1;
        private double itgWeight = 1;
        private double itcLabelSmoothing = 0.1;
        private double itgLabelSmoothing = 0.1;
        private boolean clampTemperature = false;
        private MaskSpec itcMask = StandardMask.UNIMODAL;
        private MaskSpec itmMask = StandardMask.BIDIRECTIONAL;
        private MaskSpec itgMask = StandardMask.MULTIMODAL_CAUSAL;
        private boolean itgLeakyGeneration = false;
        private ItmNegatives itmNegatives = ItmNegatives.HARD;
        private boolean itmExcludeFalseNegatives = false;

        private Builder() {}

        private Builder(ObjectiveConfig c) {
            itcWeight = c.itcWeight;
            itmWeight = c.itmWeight;
            itgWeight = c.itgWeight;
            itcLabelSmoothing = c.itcLabelSmoothing;
            itgLabelSmoothing = c.itgLabelSmoothing;
            clampTemperature = c.clampTemperature;
            itcMask = c.itcMask;
            itmMask = c.itmMask;
            itgMask = c.itgMask;
            itgLeakyGeneration = c.itgLeakyGeneration;
            itmNegatives = c.itmNegatives;
            itmExcludeFalseNegatives = c.itmExcludeFalseNegatives;
        }

        public Builder itcWeight(double v) {
            itcWeight = v;
            return this;
        }

        public Builder itmWeight(double v) {
            itmWeight = v;
            return this;
        }

        public Builder itgWeight(double v) {
            itgWeight = v;
            return this;
        }

        public Builder itcLabelSmoothing(double v) {
            itcLabelSmoothing = v;
            return this;
        }

        public Builder itgLabelSmoothing(double v) {
            itgLabelSmoothing = v;
            return this;
        }

        public Builder clampTemperature(boolean v) {
            clampTemperature = v;
            return this;
        }

        public Builder itcMask(MaskSpec v) {
            itcMask = v;
            return this;
        }

        public Builder itmMask(MaskSpec v) {
            itmMask = v;
            return this;
        }

        public Builder itgMask(MaskSpec v) {
            itgMask = v;
            return this;
        }

        public Builder itgLeakyGeneration(boolean v) {
            itgLeakyGeneration = v;
            return this;
        }

        public Builder itmNegatives(ItmNegatives v) {
            itmNegatives = v;
            return this;
        }

        public Builder itmExcludeFalseNegatives(boolean v) {
            itmExcludeFalseNegatives = v;
            return this;
        }

        public ObjectiveConfig build() {
            return new ObjectiveConfig(itcWeight, itmWeight, itgWeight, itcLabelSmoothing, itgLabelSmoothing,
                    clampTemperature, itcMask, itmMask, itgMask, itgLeakyGeneration, itmNegatives,
                    itmExcludeFalseNegatives);
        }
    }
}
