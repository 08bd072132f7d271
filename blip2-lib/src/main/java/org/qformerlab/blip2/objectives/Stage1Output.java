package org.qformerlab.blip2.objectives;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything one stage-1 step computed. Terms whose weight is 0 were skipped and are null, as are
 * the intermediates of skipped branches.
 *
 * @param total weighted sum of the active losses (a scalar)
 * @param itc ITC loss or null
 * @param itm ITM loss or null
 * @param itg ITG loss or null
 * @param queryOutput query states of the ITC pass [B, Q, H] or null
 * @param textOutput text states of the ITC pass [B, T, H] or null
 * @param imageFeats normalised query projections [B, Q, E] or null
 * @param textFeat normalised [CLS] projections [B, E] or null
 * @param similarities ITC similarity matrices or null
 * @param negatives ITM's negatives or null
 * @param itmOutput ITM pass states [3B, Q+T, H] or null
 * @param itmLogits [3B, 2] or null
 * @param lmLogits ITG logits [B, T, V] or null
 */
public record Stage1Output(
        NDArray total,
        NDArray itc,
        NDArray itm,
        NDArray itg,
        NDArray queryOutput,
        NDArray textOutput,
        NDArray imageFeats,
        NDArray textFeat,
        Itc.Similarities similarities,
        Negatives negatives,
        NDArray itmOutput,
        NDArray itmLogits,
        NDArray lmLogits) {

    /**
     * The active loss terms by name ({@code itc}, {@code itm}, {@code itg}, then {@code total}): what
     * the trainer back-propagates and logs ({@link org.qformerlab.blip2.config.ObjectiveConfig#weights}
     * names the same terms).
     */
    public Map<String, NDArray> terms() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        if (itc != null) {
            out.put("itc", itc);
        }
        if (itm != null) {
            out.put("itm", itm);
        }
        if (itg != null) {
            out.put("itg", itg);
        }
        out.put("total", total);
        return out;
    }

    /** The active loss terms as numbers, by name ({@code itc}, {@code itm}, {@code itg}, {@code total}). */
    public Map<String, Double> lossValues() {
        Map<String, Double> out = new LinkedHashMap<>();
        terms().forEach((name, value) -> out.put(name, (double) value.getFloat()));
        return out;
    }
}
