package org.qformerlab.blip2.config;

import static org.qformerlab.blip2.config.ConfigException.require;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the three stage-1 losses are computed and weighed: total = itcWeight * ITC + itmWeight * ITM +
 * itgWeight * ITG. A weight of 0 skips that branch's computation entirely.
 *
 * @param itcWeight weight of image-text contrastive learning (1 in BLIP-2)
 * @param itmWeight weight of image-text matching with hard negatives (1)
 * @param itgWeight weight of image-grounded text generation (1)
 * @param itcLabelSmoothing label smoothing of the ITC cross-entropies (0.1 in LAVIS)
 * @param itgLabelSmoothing label smoothing of the ITG language-model loss (0.1 in LAVIS)
 * @param clampTemperature clamp the learnable temperature to [0.001, 0.5] before use, as BLIP-1
 *     did; BLIP-2's LAVIS code does not (false)
 * @param itcMask the attention mask of the ITC branch (UNIMODAL in BLIP-2)
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
        ItcMask itcMask,
        ItmNegatives itmNegatives,
        boolean itmExcludeFalseNegatives) {

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
        require(itcMask != null, c + "itcMask must be UNIMODAL or BIDIRECTIONAL");
        itmNegatives = itmNegatives == null ? ItmNegatives.HARD : itmNegatives;
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

    /** BLIP-2's stage-1 objective: all three losses with weight 1, as in LAVIS. */
    public static ObjectiveConfig blip2() {
        return new ObjectiveConfig(1, 1, 1, 0.1, 0.1, false, ItcMask.UNIMODAL, ItmNegatives.HARD, false);
    }

    public ObjectiveConfig withWeights(double itc, double itm, double itg) {
        return new ObjectiveConfig(
                itc, itm, itg, itcLabelSmoothing, itgLabelSmoothing, clampTemperature, itcMask, itmNegatives,
                itmExcludeFalseNegatives);
    }

    /** The same objective with the temperature clamped (BLIP-1) or not (BLIP-2's LAVIS code). */
    public ObjectiveConfig withClampTemperature(boolean clamp) {
        return new ObjectiveConfig(
                itcWeight, itmWeight, itgWeight, itcLabelSmoothing, itgLabelSmoothing,
                clamp, itcMask, itmNegatives, itmExcludeFalseNegatives);
    }

    public ObjectiveConfig withItcMask(ItcMask mask) {
        return new ObjectiveConfig(
                itcWeight, itmWeight, itgWeight, itcLabelSmoothing, itgLabelSmoothing,
                clampTemperature, mask, itmNegatives, itmExcludeFalseNegatives);
    }
}
